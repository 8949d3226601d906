// Order's own metrics (served with the process's others: services/lib/metrics.ts).
import client from "prom-client";
import { registry, ScrapedGauge } from "../../lib/metrics.js";

export const activeCheckouts = new ScrapedGauge("order_active_checkouts", "Checkouts holding a reservation now (ACTIVE)");

export const ordersPlaced = new client.Counter({ name: "orders_placed_total", help: "Orders placed", registers: [registry] });
export const ordersCancelled = new client.Counter({ name: "orders_cancelled_total", help: "Orders cancelled", registers: [registry] });
