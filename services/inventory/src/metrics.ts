// Inventory's own metrics (served with the process's others: services/lib/metrics.ts).
import client from "prom-client";
import { registry, ScrapedGauge } from "../../lib/metrics.js";

export const activeReservations = new ScrapedGauge("inventory_active_reservations", "Reservations holding stock now (ACTIVE)");

export const reserveBatchSize = new client.Histogram({
  name: "inventory_reserve_batch_size", help: "Reserve requests decided together in one transaction",
  buckets: [1, 2, 5, 10, 25, 50, 100, 200], registers: [registry],
});

export const auditViolations = new client.Counter({
  name: "inventory_stock_audit_violations_total", help: "Broken stock invariants found by AuditStock (0 in a healthy mesh)",
  registers: [registry],
});
