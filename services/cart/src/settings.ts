// The cart service's own settings, read once from the environment (README "Configuration").
import { intFrom } from "../../lib/config.js";
import { DEFAULT_MAX_LINES } from "./domain/cart.js";

export interface CartSettings {
  /** CART_MAX_LINES (1-500, default 100): distinct items per cart. GetCart reads them in one BatchGetItems (500 ids at most). */
  maxLines: number;
  /** CART_DEPENDENCY_TIMEOUT_MS (default 3000): deadline of each Catalog / Inventory call. */
  dependencyTimeoutMs: number;
}

export function loadSettings(env: Record<string, string | undefined>): CartSettings {
  const s: CartSettings = {
    maxLines: intFrom(env, "CART_MAX_LINES", DEFAULT_MAX_LINES),
    dependencyTimeoutMs: intFrom(env, "CART_DEPENDENCY_TIMEOUT_MS", 3000),
  };
  if (s.maxLines < 1 || s.maxLines > 500) throw new Error("CART_MAX_LINES must be between 1 and 500");
  return s;
}
