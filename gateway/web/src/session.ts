// The signed-in user: a short-lived access token and the refresh token that renews it (from Login, Register or
// Refresh), kept in localStorage and shared by the shop's tabs. The session lasts as long as the refresh token;
// api.ts renews the access token before it expires and signs out for real (Logout) when asked.
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { Role, type LoginResponse } from "../../../gen/shop/identity/v1/identity_pb.js";

export type ShopRole = "customer" | "admin" | "warehouse";

export interface Session {
  token: string;
  /** ms since epoch: when the access token expires. */
  expiresAt: number;
  /** Single use: Refresh exchanges it for the next one. Absent in sessions stored before refresh tokens existed. */
  refreshToken?: string;
  /** ms since epoch: when the session ends unless renewed. */
  refreshExpiresAt?: number;
  user: { id: string; email: string; displayName: string; role: ShopRole; warehouseId: string };
}

const KEY = "shop.session";
const listeners = new Set<() => void>();
let current: Session | undefined = load();

/** Until when the session can be used or renewed. */
function endOf(s: Session): number {
  return s.refreshToken && s.refreshExpiresAt ? s.refreshExpiresAt : s.expiresAt;
}

/** The session as stored now (another tab may have renewed it). */
export function load(): Session | undefined {
  try {
    const s = JSON.parse(localStorage.getItem(KEY) ?? "null") as Session | null;
    if (s && typeof s.token === "string" && endOf(s) > Date.now()) return s;
  } catch {
    // unreadable: treat as signed out
  }
  localStorage.removeItem(KEY);
  return undefined;
}

/** The session while it can still be used or renewed; an ended one is dropped. */
export function session(): Session | undefined {
  if (current && endOf(current) <= Date.now()) setSession(undefined);
  return current;
}

const ROLES: Partial<Record<Role, ShopRole>> = { [Role.CUSTOMER]: "customer", [Role.ADMIN]: "admin", [Role.WAREHOUSE]: "warehouse" };

export function signedIn(res: Pick<LoginResponse, "accessToken" | "expireTime" | "refreshToken" | "refreshExpireTime" | "user">): Session {
  const u = res.user!;
  const s: Session = {
    token: res.accessToken,
    expiresAt: res.expireTime ? timestampDate(res.expireTime).getTime() : Date.now() + 10 * 60_000,
    refreshToken: res.refreshToken || undefined,
    refreshExpiresAt: res.refreshExpireTime ? timestampDate(res.refreshExpireTime).getTime() : undefined,
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

/** Another tab signed in, renewed the session or signed out. */
window.addEventListener("storage", (ev) => {
  if (ev.key !== KEY) return;
  current = load();
  for (const l of listeners) l();
});
