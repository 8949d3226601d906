// The signed-in user: the access token from Login/Register, kept in localStorage until it expires (tokens
// are short-lived; when one expires the shopper signs in again and comes back to where they were).
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { Role, type LoginResponse } from "../../../gen/shop/identity/v1/identity_pb.js";

export type ShopRole = "customer" | "admin" | "warehouse";

export interface Session {
  token: string;
  /** ms since epoch */
  expiresAt: number;
  user: { id: string; email: string; displayName: string; role: ShopRole; warehouseId: string };
}

const KEY = "shop.session";
const listeners = new Set<() => void>();
let current: Session | undefined = load();

function load(): Session | undefined {
  try {
    const s = JSON.parse(localStorage.getItem(KEY) ?? "null") as Session | null;
    if (s && typeof s.token === "string" && s.expiresAt > Date.now()) return s;
  } catch {
    // unreadable: treat as signed out
  }
  localStorage.removeItem(KEY);
  return undefined;
}

/** The session if still valid; an expired one is dropped. */
export function session(): Session | undefined {
  if (current && current.expiresAt <= Date.now()) setSession(undefined);
  return current;
}

const ROLES: Partial<Record<Role, ShopRole>> = { [Role.CUSTOMER]: "customer", [Role.ADMIN]: "admin", [Role.WAREHOUSE]: "warehouse" };

export function signedIn(res: Pick<LoginResponse, "accessToken" | "expireTime" | "user">): Session {
  const u = res.user!;
  const s: Session = {
    token: res.accessToken,
    expiresAt: res.expireTime ? timestampDate(res.expireTime).getTime() : Date.now() + 10 * 60_000,
    user: { id: u.id, email: u.email, displayName: u.displayName, role: ROLES[u.role] ?? "customer", warehouseId: u.warehouseId },
  };
  setSession(s);
  return s;
}

export function setSession(s: Session | undefined): void {
  current = s;
  if (s) localStorage.setItem(KEY, JSON.stringify(s));
  else localStorage.removeItem(KEY);
  for (const l of listeners) l();
}

export function onSessionChange(listener: () => void): void {
  listeners.add(listener);
}

/** Another tab signed in or out. */
window.addEventListener("storage", (ev) => {
  if (ev.key !== KEY) return;
  current = load();
  for (const l of listeners) l();
});
