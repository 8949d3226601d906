// Tokens an attacker could make, for the tests that prove every process refuses them: each is shaped like a
// real token of this run (same issuer, claims, often the real key id) but none was signed by the identity key.
import { createHmac, createPublicKey, randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureKeyFiles, TokenSigner, writeOwnerOnly, type KeySet } from "../services/lib/keys.js";
import { testKeys } from "./harness.js";

/** The HS256 secret the repository once shipped as a development default: anyone who read the source had it. */
const OLD_REPOSITORY_SECRET = "dev-only-secret-change-me-0123456789abcdef";

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

function hs256(header: object, payload: object, secret: string | Buffer): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac("sha256", secret).update(input).digest("base64url")}`;
}

/** Claims of an admin as the identity service would sign them, valid for an hour. */
function adminClaims(subject = randomUUID()) {
  const now = Math.floor(Date.now() / 1000);
  return { role: "admin", sub: subject, iss: "shop-mesh", iat: now, exp: now + 3600 };
}

/**
 * Every forgery, by name. `customerToken` is a real customer token of this run, for the tampering cases.
 */
export async function forgedTokens(customerToken: string): Promise<Record<string, string>> {
  const { files, users, services } = testKeys();
  const jwks = JSON.parse(readFileSync(files.jwksFile, "utf8")) as KeySet;
  const realKid = jwks.keys[0].kid!;
  const publicPem = createPublicKey({ key: jwks.keys[0], format: "jwk" }).export({ type: "spki", format: "pem" }).toString();
  const [header, payload, signature] = customerToken.split(".");
  const promoted = { ...JSON.parse(Buffer.from(payload, "base64url").toString()), role: "admin" };
  return {
    "HS256 with the old repository secret": hs256({ alg: "HS256", typ: "JWT" }, adminClaims(), OLD_REPOSITORY_SECRET),
    "HS256 with the old repository secret and a real kid": hs256({ alg: "HS256", typ: "JWT", kid: realKid }, adminClaims(), OLD_REPOSITORY_SECRET),
    "alg none": `${b64({ alg: "none", typ: "JWT", kid: realKid })}.${b64(adminClaims())}.`,
    "HS256 keyed with the public key (PEM)": hs256({ alg: "HS256", typ: "JWT", kid: realKid }, adminClaims(), publicPem),
    "HS256 keyed with the public key (JWK x)": hs256({ alg: "HS256", typ: "JWT", kid: realKid }, adminClaims(), Buffer.from(jwks.keys[0].x!, "base64url")),
    "HS256 keyed with the JWKS file": hs256({ alg: "HS256", typ: "JWT", kid: realKid }, adminClaims(), readFileSync(files.jwksFile)),
    "expired": await users.sign({ subject: randomUUID(), role: "customer" }, -60),
    "changed payload (customer made admin)": `${header}.${b64(promoted)}.${signature}`,
    "unknown kid": await unknownKeySigner().sign({ subject: randomUUID(), role: "admin" }, 3600),
    "real kid, other key": await otherKeyWithKid(realKid, { subject: randomUUID(), role: "admin" }),
    "mesh key claiming admin": await services.sign({ subject: randomUUID(), role: "admin" }, 3600),
    "mesh key claiming a customer": await services.sign({ subject: randomUUID(), role: "customer" }, 3600),
    "mesh key with a user id as subject": await services.sign({ subject: randomUUID(), role: "service" }, 3600),
    "mesh key claiming a warehouse": await services.sign({ subject: "service:assignment", role: "warehouse", warehouseId: randomUUID() }, 3600),
    "not a JWT": "garbage",
  };
}

/** A signer whose keys no process of this run knows. */
export function unknownKeySigner(): TokenSigner {
  return TokenSigner.fromFile(otherKeyFile(), "AUTH_SIGNING_KEYS_FILE");
}

function otherKeyFile(): string {
  return ensureKeyFiles(join(mkdtempSync(join(tmpdir(), "shop-other-keys-")), "keys")).signingKeysFile;
}

/** A token signed by a key the attacker made, labelled with the real key's kid. */
async function otherKeyWithKid(kid: string, claims: { subject: string; role: "admin" }): Promise<string> {
  const file = otherKeyFile();
  const set = JSON.parse(readFileSync(file, "utf8")) as KeySet;
  set.keys[0].kid = kid;
  writeOwnerOnly(file, JSON.stringify(set));
  return TokenSigner.fromFile(file, "AUTH_SIGNING_KEYS_FILE").sign(claims, 3600);
}
