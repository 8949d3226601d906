// Token verification, the one place every service checks who is calling. Tokens are HS256 JWTs issued by
// the gateway's IdentityService (and, for development and tests, by mintToken with the configured secret).
// The verification is always real: signature, expiry, issuer and role are checked on every call.
import { createContextKey, type HandlerContext, type Interceptor } from "@connectrpc/connect";
import { SignJWT, jwtVerify, errors as joseErrors } from "jose";
import { BoundedMap } from "./bounded-map.js";
import { permissionDenied, unauthenticated } from "./errors.js";

export type Role = "customer" | "admin" | "warehouse" | "service";
const ROLES: readonly Role[] = ["customer", "admin", "warehouse", "service"];
const ISSUER = "shop-mesh";

export interface Principal {
  /** User id (UUID) for customers, admins and warehouse users; the service name for service tokens. */
  subject: string;
  role: Role;
  /** Set for warehouse users: the warehouse they work for. */
  warehouseId?: string;
  /** The raw token, so a service can call another on the caller's behalf. */
  token: string;
}

/** The verified caller of the current RPC, or undefined for an anonymous call. */
export const principalKey = createContextKey<Principal | undefined>(undefined, { description: "verified caller" });

/** Verified tokens remembered per process (up to twice this many): a service sees the same few tokens on call after call. */
const VERIFIED_CACHE_SIZE = 10_000;

export class TokenVerifier {
  private readonly key: Uint8Array<ArrayBuffer>;
  private cryptoKey?: Promise<CryptoKey>;
  /** token -> the caller and the token's expiry (seconds since epoch). */
  private readonly verified = new BoundedMap<string, { principal: Principal; exp: number }>(VERIFIED_CACHE_SIZE);

  constructor(secret: string) {
    this.key = new TextEncoder().encode(secret);
  }

  async verify(token: string): Promise<Principal> {
    // A token verified before is the same token until it expires: skip the HMAC, keep the expiry check.
    const known = this.verified.get(token);
    if (known) {
      if (Date.now() / 1000 < known.exp) return known.principal;
      this.verified.delete(token);
    }
    try {
      // Importing the key once: jose would import a raw secret on every verification.
      this.cryptoKey ??= crypto.subtle.importKey("raw", this.key, { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
      const { payload } = await jwtVerify(token, await this.cryptoKey, { issuer: ISSUER, algorithms: ["HS256"] });
      const role = payload.role as Role;
      if (typeof payload.sub !== "string" || !ROLES.includes(role)) throw unauthenticated("TOKEN_INVALID", "token has no valid subject or role");
      const warehouseId = typeof payload.wh === "string" ? payload.wh : undefined;
      if (role === "warehouse" && !warehouseId) throw unauthenticated("TOKEN_INVALID", "warehouse token names no warehouse");
      const principal: Principal = { subject: payload.sub, role, warehouseId, token };
      if (typeof payload.exp === "number") {
        this.verified.set(token, { principal, exp: payload.exp });
      }
      return principal;
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw unauthenticated("TOKEN_EXPIRED", "access token expired; sign in again");
      if (err instanceof joseErrors.JOSEError) throw unauthenticated("TOKEN_INVALID", "access token is not valid");
      throw err;
    }
  }

  /** Issues a token. Identity uses it for logins; tests and `npm start` use it for development tokens. */
  async mint(claims: { subject: string; role: Role; warehouseId?: string }, ttlSeconds = 3600): Promise<string> {
    return new SignJWT({ role: claims.role, ...(claims.warehouseId ? { wh: claims.warehouseId } : {}) })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setSubject(claims.subject)
      .setIssuer(ISSUER)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
      .sign(this.key);
  }
}

/**
 * Server interceptor: verifies an `authorization: Bearer` header when present and puts the caller in the
 * context. A missing header means anonymous (each handler decides whether that is allowed); a bad one is
 * refused here, before any handler runs.
 */
export function authInterceptor(verifier: TokenVerifier): Interceptor {
  return (next) => async (req) => {
    const header = req.header.get("authorization");
    if (header) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (!match) throw unauthenticated("TOKEN_MALFORMED", "authorization header must be 'Bearer <token>'");
      req.contextValues.set(principalKey, await verifier.verify(match[1]));
    }
    return next(req);
  };
}

/** The caller, or Unauthenticated. */
export function requireCaller(ctx: HandlerContext): Principal {
  const p = ctx.values.get(principalKey);
  if (!p) throw unauthenticated();
  return p;
}

/** The caller if it has one of the roles, else Unauthenticated / PermissionDenied. */
export function requireRole(ctx: HandlerContext, ...roles: Role[]): Principal {
  const p = requireCaller(ctx);
  if (!roles.includes(p.role)) throw permissionDenied("ROLE_REQUIRED", `this call needs the ${roles.join(" or ")} role`);
  return p;
}

/** A customer acting for themselves: the user id always comes from the token, never from the request. */
export function requireCustomer(ctx: HandlerContext): Principal {
  return requireRole(ctx, "customer");
}

/** Headers that carry the caller's own token to another service. */
export function onBehalfOf(p: Principal): { authorization: string } {
  return { authorization: `Bearer ${p.token}` };
}
