// Token verification, the one place every service checks who is calling. Two kinds of tokens exist (keys.ts):
//   - user tokens, signed by the identity service's private key; every process holds only the public keys
//     (AUTH_JWKS_FILE), so no service can mint a user's or an admin's token;
//   - service tokens, signed by the mesh key (AUTH_SERVICE_KEYS_FILE), which a verifier accepts only as role
//     "service" (serviceCredential): a service can act as itself, never as a user.
// The verification is always real: algorithm, key id, signature, expiry, issuer and role on every call.
import { createContextKey, type ContextValues, type HandlerContext, type Interceptor } from "@connectrpc/connect";
import { decodeProtectedHeader, jwtVerify, errors as joseErrors, type JWTPayload, type ProtectedHeaderParameters } from "jose";
import { BoundedMap } from "./bounded-map.js";
import type { Config } from "./config.js";
import { permissionDenied, unauthenticated } from "./errors.js";
import { KeyRing, TOKEN_ALG, TOKEN_ISSUER, TokenSigner } from "./keys.js";
import { isServiceIdentity, meshPeer, requireMeshCaller } from "./mesh-access.js";

export type Role = "customer" | "admin" | "warehouse" | "service";
const USER_ROLES: readonly Role[] = ["customer", "admin", "warehouse"];
/** A service token's subject: "service:" and the service's name. */
const SERVICE_SUBJECT = /^service:[a-z][a-z0-9-]{0,62}$/;

export interface Principal {
  /** User id (UUID) for customers, admins and warehouse users; "service:<name>" for service tokens. */
  subject: string;
  role: Role;
  /** Set for warehouse users: the warehouse they work for. */
  warehouseId?: string;
  /** The raw token, so a service can call another on the caller's behalf ("" for a certificate's caller). */
  token: string;
  /** Set when mesh TLS identified the caller: the process its client certificate names. */
  certificate?: string;
}

/** The verified caller of the current RPC, or undefined for an anonymous call. */
export const principalKey = createContextKey<Principal | undefined>(undefined, { description: "verified caller" });

/** Verified tokens remembered per process (up to twice this many): a service sees the same few tokens on call after call. */
const VERIFIED_CACHE_SIZE = 10_000;

/** The key sets a verifier trusts: user keys (public) always; mesh keys in services, never in the gateway. */
export interface VerifierKeys {
  users: KeyRing;
  services?: KeyRing;
}

export class TokenVerifier {
  /** token -> the caller and the token's expiry (seconds since epoch). */
  private readonly verified = new BoundedMap<string, { principal: Principal; exp: number }>(VERIFIED_CACHE_SIZE);

  constructor(private readonly keys: VerifierKeys) {
    // A retired key takes the tokens it signed with it, also the ones verified before.
    const forget = () => this.verified.clear();
    keys.users.onChange = forget;
    if (keys.services) keys.services.onChange = forget;
  }

  /** The verifier a process configures from AUTH_JWKS_FILE (and AUTH_SERVICE_KEYS_FILE when it accepts service calls). */
  static fromConfig(config: Config, opts: { acceptServices: boolean }): TokenVerifier {
    return new TokenVerifier({
      users: new KeyRing(requireSetting(config.auth.jwksFile, "AUTH_JWKS_FILE", "the identity service's public keys"), "AUTH_JWKS_FILE", false),
      services: opts.acceptServices ? serviceKeyRing(config) : undefined,
    });
  }

  async verify(token: string): Promise<Principal> {
    // A changed key file (a key retired) empties the cache below, so it is looked at before the cache is used.
    const due = this.keys.users.recheckIfDue() ?? this.keys.services?.recheckIfDue();
    if (due) await due;
    // A token verified before is the same token until it expires: skip the signature, keep the expiry check.
    const known = this.verified.get(token);
    if (known) {
      if (Date.now() / 1000 < known.exp) return known.principal;
      this.verified.delete(token);
    }
    try {
      // Only our algorithm is ever considered, so `alg: none` and HS256-with-the-public-key are refused here.
      const header = headerOf(token);
      if (header.alg !== TOKEN_ALG) throw unauthenticated("TOKEN_INVALID", "access token is not valid");
      if (typeof header.kid !== "string") throw unauthenticated("TOKEN_INVALID", "access token names no signing key");
      const userKey = await this.keys.users.verificationKey(header.kid);
      const serviceKey = userKey ? undefined : await this.keys.services?.verificationKey(header.kid);
      if (!userKey && !serviceKey) throw unauthenticated("TOKEN_INVALID", "access token was signed by an unknown key");
      const { payload } = await jwtVerify(token, (userKey ?? serviceKey)!, { issuer: TOKEN_ISSUER, algorithms: [TOKEN_ALG] });
      const principal = userKey ? userCredential(payload, token) : serviceCredential(payload, token);
      if (typeof payload.exp !== "number") throw unauthenticated("TOKEN_INVALID", "access token has no expiry");
      this.verified.set(token, { principal, exp: payload.exp });
      return principal;
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw unauthenticated("TOKEN_EXPIRED", "access token expired; sign in again");
      if (err instanceof joseErrors.JOSEError) throw unauthenticated("TOKEN_INVALID", "access token is not valid");
      throw err;
    }
  }
}

/** The token's protected header; anything that is not a JWS in compact form is refused. */
function headerOf(token: string): ProtectedHeaderParameters {
  try {
    return decodeProtectedHeader(token);
  } catch {
    throw unauthenticated("TOKEN_INVALID", "access token is not valid");
  }
}

/** A token signed by the identity service: a customer, an admin or a warehouse user (never a service). */
function userCredential(payload: JWTPayload, token: string): Principal {
  const role = payload.role as Role;
  if (typeof payload.sub !== "string" || !USER_ROLES.includes(role)) throw unauthenticated("TOKEN_INVALID", "token has no valid subject or role");
  const warehouseId = typeof payload.wh === "string" ? payload.wh : undefined;
  if (role === "warehouse" && !warehouseId) throw unauthenticated("TOKEN_INVALID", "warehouse token names no warehouse");
  return { subject: payload.sub, role, warehouseId, token };
}

/**
 * The one check of a service's credential: a token signed by the mesh key stands for a service and for nothing
 * else. Whatever else it claims (admin, customer, a user id, a warehouse), it is refused, so holding the mesh key
 * never gives a user's or an admin's rights.
 */
export function serviceCredential(payload: JWTPayload, token: string): Principal {
  if (payload.role !== "service") throw unauthenticated("TOKEN_INVALID", "a service token can only carry the service role");
  if (typeof payload.sub !== "string" || !SERVICE_SUBJECT.test(payload.sub)) throw unauthenticated("TOKEN_INVALID", "a service token's subject must be service:<name>");
  if (payload.wh !== undefined) throw unauthenticated("TOKEN_INVALID", "a service token names no warehouse");
  return { subject: payload.sub, role: "service", token };
}

/** Signs the tokens a service calls other services with on its own account (mesh key, role service). */
export class ServiceCredentials {
  private current?: { token: string; kid: string; renewAt: number };

  constructor(private readonly name: string, private readonly signer: TokenSigner) {}

  static fromConfig(name: string, config: Config): ServiceCredentials {
    return new ServiceCredentials(name, new TokenSigner(serviceKeyRing(config)));
  }

  async headers(): Promise<{ authorization: string }> {
    // Renewed halfway through its hour, and at once when the mesh key rotates (so --retire soon after is safe).
    const kid = await this.signer.kid();
    if (!this.current || Date.now() > this.current.renewAt || this.current.kid !== kid) {
      const token = await this.signer.sign({ subject: `service:${this.name}`, role: "service" }, 3600);
      this.current = { token, kid, renewAt: Date.now() + 1800_000 };
    }
    return { authorization: `Bearer ${this.current.token}` };
  }
}

/** The user-token signer of the identity service, from AUTH_SIGNING_KEYS_FILE. */
export function userTokenSigner(config: Config): TokenSigner {
  return TokenSigner.fromFile(
    requireSetting(config.auth.signingKeysFile, "AUTH_SIGNING_KEYS_FILE", "the identity service's private signing keys"), "AUTH_SIGNING_KEYS_FILE");
}

function serviceKeyRing(config: Config): KeyRing {
  return new KeyRing(requireSetting(config.auth.serviceKeysFile, "AUTH_SERVICE_KEYS_FILE", "the mesh's service keys"), "AUTH_SERVICE_KEYS_FILE", true);
}

/** No process runs with a built-in key: a missing setting stops it at start-up, naming the variable. */
function requireSetting(value: string | undefined, setting: string, what: string): string {
  if (!value) {
    throw new Error(`${setting} is not set: point it at a JWK set file with ${what} (\`npm start\` generates them under its data directory; see docs/security.md)`);
  }
  return value;
}

/**
 * Server interceptor: verifies an `authorization: Bearer` header when present and puts the caller in the
 * context. A missing header means anonymous (each handler decides whether that is allowed); a bad one is
 * refused here, before any handler runs.
 */
export function authInterceptor(verifier: TokenVerifier): Interceptor {
  return (next) => async (req) => {
    const principal = await authenticate(req, verifier);
    if (principal) req.contextValues.set(principalKey, principal);
    return next(req);
  };
}

/** The caller its bearer token names (undefined without one), or Unauthenticated for a token that is not valid. */
export async function authenticate(req: { header: Headers; contextValues: ContextValues }, verifier: TokenVerifier): Promise<Principal | undefined> {
  const header = req.header.get("authorization");
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw unauthenticated("TOKEN_MALFORMED", "authorization header must be 'Bearer <token>'");
  const principal = await verifier.verify(match[1]);
  // Over mesh TLS a service is who its certificate says; a service token could be replayed by anyone holding it.
  if (principal.role === "service" && meshPeer(req.contextValues) !== undefined) {
    throw unauthenticated("TOKEN_INVALID", "service tokens are not accepted over mesh TLS: the client certificate identifies the service");
  }
  return principal;
}

/**
 * The caller, or Unauthenticated: the user or service its token names, else (over mesh TLS, with no token) the
 * process its client certificate names, which may call only the RPCs mesh-access.ts lists for it.
 */
export function requireCaller(ctx: HandlerContext): Principal {
  const p = ctx.values.get(principalKey) ?? certificateCaller(ctx);
  if (!p) throw unauthenticated();
  if (p.certificate) requireMeshCaller(ctx, p.certificate);
  return p;
}

function certificateCaller(ctx: HandlerContext): Principal | undefined {
  const identity = meshPeer(ctx.values);
  if (identity === undefined || !isServiceIdentity(identity)) return undefined;
  return { subject: `service:${identity}`, role: "service", token: "", certificate: identity };
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
