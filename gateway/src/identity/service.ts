// IdentityService, hosted by the gateway: accounts, sign-in, refresh, sign-out and the caller's own account.
// Passwords are scrypt hashes. Access tokens are short-lived JWTs signed with the identity service's private key
// (services hold only the public keys, services/lib/keys.ts); refresh tokens are random, single use and
// revocable (refresh-tokens.ts). Sign-in and refresh failures are rate-limited per (email, address) and per address.
import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import type { DataSource } from "typeorm";
import { IdentityService, Role, UserSchema, type User } from "../../../gen/shop/identity/v1/identity_pb.js";
import { requireCaller } from "../../../services/lib/auth.js";
import type { TokenSigner } from "../../../services/lib/keys.js";
import { alreadyExists, invalidArgument, permissionDenied, unauthenticated } from "../../../services/lib/errors.js";
import { text } from "../../../services/lib/validate.js";
import type { Logger } from "../../../services/lib/log.js";
import { clientAddressKey, emailKey, tooMany, type RateLimiter, type RateLimitSettings } from "../rate-limit.js";
import { DEFAULT_SCRYPT, hashPassword, needsRehash, verifyPassword, type ScryptParams } from "./passwords.js";
import {
  revokeRefreshFamily, rotateRefreshToken, startRefreshFamily, type IssuedRefreshToken, type RefreshPolicy,
} from "./refresh-tokens.js";
import { findUserByEmail, findUserById, insertUser, updatePasswordHash, type UserRow } from "./store.js";

export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 200;
const EMAIL_MAX = 254;
// Deliberately plain: one @, no spaces, a dot in the domain. Deliverability is proven by mail, not by regex.
const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
const SIGN_IN_FAILED = "email or password is incorrect";
const REFRESH_FAILED = "refresh_token is not valid any more; sign in again";
/** Refresh tokens are 43 characters; anything much longer is not one. */
const REFRESH_TOKEN_MAX = 200;

export interface IdentityDeps {
  ds: DataSource;
  /** Signs access tokens with the identity service's private key. */
  signer: TokenSigner;
  limiter: RateLimiter;
  limits: RateLimitSettings;
  log: Logger;
  tokenTtlSeconds: number;
  refresh: RefreshPolicy;
  scrypt?: ScryptParams;
}

export function normalizeEmail(value: string, field = "email"): string {
  const v = value.trim().toLowerCase();
  if (v === "") throw invalidArgument(field, "is required");
  if ([...v].length > EMAIL_MAX) throw invalidArgument(field, `must be at most ${EMAIL_MAX} characters`);
  if (!EMAIL.test(v)) throw invalidArgument(field, "must be an email address like name@example.com");
  return v;
}

export function validatePassword(value: string, field = "password"): string {
  const length = [...value].length;
  if (length === 0) throw invalidArgument(field, "is required");
  if (length < PASSWORD_MIN) throw invalidArgument(field, `must be at least ${PASSWORD_MIN} characters`);
  if (length > PASSWORD_MAX) throw invalidArgument(field, `must be at most ${PASSWORD_MAX} characters`);
  return value;
}

const ROLE_TO_PROTO = { customer: Role.CUSTOMER, admin: Role.ADMIN, warehouse: Role.WAREHOUSE } as const;

export function userView(u: UserRow): User {
  return create(UserSchema, {
    id: u.id, email: u.email, displayName: u.displayName, role: ROLE_TO_PROTO[u.role],
    warehouseId: u.warehouseId ?? "", createTime: timestampFromDate(u.createdAt),
  });
}

export function identityHandlers(d: IdentityDeps): ServiceImpl<typeof IdentityService> {
  const params = d.scrypt ?? DEFAULT_SCRYPT;
  // Unknown emails still pay for one hash, so a wrong email and a wrong password take the same time.
  const decoyHash = hashPassword(randomUUID(), params);

  /** Access token plus refresh token: a new family at sign-in, the next of the family at Refresh. */
  async function tokensFor(u: UserRow, refresh?: IssuedRefreshToken) {
    const expires = new Date(Date.now() + d.tokenTtlSeconds * 1000);
    const accessToken = await d.signer.sign(
      { subject: u.id, role: u.role, warehouseId: u.warehouseId ?? undefined }, d.tokenTtlSeconds);
    const next = refresh ?? (await startRefreshFamily(d.ds, u.id, d.refresh.ttlSeconds));
    return {
      user: userView(u), accessToken, expireTime: timestampFromDate(expires),
      refreshToken: next.token, refreshExpireTime: timestampFromDate(next.expiresAt),
    };
  }
  const signIn = (u: UserRow) => tokensFor(u);

  function refreshTokenOf(value: string): string {
    if (value === "") throw invalidArgument("refresh_token", "is required");
    return value;
  }

  return {
    async register(req, ctx: HandlerContext) {
      const email = normalizeEmail(req.email);
      const password = validatePassword(req.password);
      const displayName = text(req.displayName, "display_name", { min: 1, max: 100 });
      const address = ctx.values.get(clientAddressKey);
      const verdict = await d.limiter.hit(`register:${address}`, d.limits.registrationsPerAddress, d.limits.registrationWindowMs);
      if (!verdict.allowed) throw tooMany("REGISTRATION_LIMITED", "too many new accounts from your network", verdict);
      const user = await insertUser(d.ds, {
        id: randomUUID(), email, displayName, role: "customer", warehouseId: null,
        passwordHash: await hashPassword(password, params),
      });
      if (!user) throw alreadyExists("EMAIL_TAKEN", "email: an account with this email already exists; sign in instead");
      d.log.info({ userId: user.id }, "account registered");
      return signIn(user);
    },

    async login(req, ctx) {
      // Shape checks only: a bad shape is a typo, not a guess, and says nothing about which accounts exist.
      const email = normalizeEmail(req.email);
      if (req.password === "") throw invalidArgument("password", "is required");
      if ([...req.password].length > PASSWORD_MAX) throw unauthenticated("SIGN_IN_FAILED", SIGN_IN_FAILED);
      const address = ctx.values.get(clientAddressKey);
      const perEmail = `loginfail:${emailKey(email)}:${address}`;
      const perAddress = `loginfail:${address}`;
      const { limits } = d;
      for (const [key, limit] of [[perEmail, limits.loginFailuresPerEmailAddress], [perAddress, limits.loginFailuresPerAddress]] as const) {
        const v = await d.limiter.check(key, limit, limits.loginFailureWindowMs);
        if (!v.allowed) throw tooMany("SIGN_IN_LIMITED", "too many failed sign-in attempts", v);
      }
      const user = await findUserByEmail(d.ds, email);
      const ok = await verifyPassword(req.password, user?.passwordHash ?? (await decoyHash));
      if (!user || !ok) {
        await Promise.all([
          d.limiter.record(perEmail, limits.loginFailureWindowMs),
          d.limiter.record(perAddress, limits.loginFailureWindowMs),
        ]);
        d.log.info({ address }, "sign-in failed");
        throw unauthenticated("SIGN_IN_FAILED", SIGN_IN_FAILED);
      }
      await d.limiter.reset(perEmail, limits.loginFailureWindowMs);
      if (needsRehash(user.passwordHash, params)) await updatePasswordHash(d.ds, user.id, await hashPassword(req.password, params));
      return signIn(user);
    },

    async refresh(req, ctx) {
      const token = refreshTokenOf(req.refreshToken);
      const address = ctx.values.get(clientAddressKey);
      const perAddress = `refreshfail:${address}`;
      const { limits } = d;
      const v = await d.limiter.check(perAddress, limits.loginFailuresPerAddress, limits.loginFailureWindowMs);
      if (!v.allowed) throw tooMany("SIGN_IN_LIMITED", "too many failed refresh attempts", v);
      const outcome = token.length > REFRESH_TOKEN_MAX ? { ok: false as const, reason: "unknown" as const }
        : await rotateRefreshToken(d.ds, token, d.refresh);
      const user = outcome.ok ? await findUserById(d.ds, outcome.userId) : undefined;
      if (!outcome.ok || !user) {
        await d.limiter.record(perAddress, limits.loginFailureWindowMs);
        if (!outcome.ok && outcome.reason === "replayed") d.log.warn({ address }, "a used refresh token came back: its sign-in is revoked");
        throw unauthenticated("REFRESH_TOKEN_INVALID", REFRESH_FAILED);
      }
      return tokensFor(user, outcome.next);
    },

    async logout(req) {
      const token = refreshTokenOf(req.refreshToken);
      if (token.length <= REFRESH_TOKEN_MAX) await revokeRefreshFamily(d.ds, token);
      return {};
    },

    async me(_req, ctx) {
      const p = requireCaller(ctx);
      if (p.role === "service") throw permissionDenied("NO_ACCOUNT", "a service token has no account");
      const user = /^[0-9a-f-]{36}$/i.test(p.subject) ? await findUserById(d.ds, p.subject.toLowerCase()) : undefined;
      if (!user) throw unauthenticated("ACCOUNT_GONE", "this account no longer exists; sign in again");
      return { user: userView(user) };
    },
  };
}
