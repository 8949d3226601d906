// The one registry of the mesh's services: which module implements each. `npm start`, the test harness and
// the gateway read it; adding a service adds a line here (plus its folder and proto).
import type { ServiceName } from "./lib/config.js";
import type { ServiceModule } from "./lib/server.js";

export const SERVICE_MODULES: Record<ServiceName, () => Promise<ServiceModule>> = {
  catalog: async () => (await import("./catalog/src/main.js")).catalog,
  search: async () => (await import("./search/src/main.js")).search,
  cart: async () => (await import("./cart/src/main.js")).cart,
  inventory: async () => (await import("./inventory/src/main.js")).inventory,
  order: async () => (await import("./order/src/main.js")).order,
  assignment: async () => (await import("./assignment/src/main.js")).assignment,
};

/** Entry file of a service process, relative to the repository root. */
export function serviceEntry(name: ServiceName): string {
  return `services/${name}/src/main.ts`;
}
