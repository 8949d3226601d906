// Signing keys of the mesh, kept as JWK set files (RFC 7517) so any JOSE library or a Kubernetes Secret can
// hold them. Two sets exist:
//   - user keys: AUTH_SIGNING_KEYS_FILE (private, identity only) signs access tokens; AUTH_JWKS_FILE is its
//     public half, which every service verifies with;
//   - mesh keys: AUTH_SERVICE_KEYS_FILE (private, every service) signs the tokens services call each other with;
//     verifiers accept those only as role "service" (auth.ts).
// In each set the first key signs and every key verifies, so a new key can start signing while tokens signed by
// the previous one stay valid until they expire (rotateKeyFiles). Processes re-read a set when its file changes.
import { generateKeyPairSync, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { importJWK, SignJWT, type CryptoKey, type JWK } from "jose";

/** Ed25519 signatures (EdDSA): small keys, fast signing, no parameter choices to get wrong. */
export const TOKEN_ALG = "EdDSA";
export const TOKEN_ISSUER = "shop-mesh";

export interface KeySet {
  keys: JWK[];
}

/** A new Ed25519 key pair as a private JWK with a random `kid`. */
export function generateKey(): JWK {
  const { privateKey } = generateKeyPairSync("ed25519");
  return { ...privateKey.export({ format: "jwk" }), kid: randomBytes(9).toString("base64url"), alg: TOKEN_ALG, use: "sig" };
}

/** The public half of a set: what verifiers are given. */
export function publicKeySet(set: KeySet): KeySet {
  return { keys: set.keys.map(({ d: _private, ...pub }) => pub) };
}

/** Reads and checks a JWK set file; errors name the setting that points at it. */
export function readKeySet(file: string, setting: string, needPrivate: boolean): KeySet {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`${setting}: cannot read a JWK set from ${file}: ${(err as Error).message}`);
  }
  const keys = (parsed as KeySet | null)?.keys;
  if (!Array.isArray(keys) || keys.length === 0) throw new Error(`${setting}: ${file} holds no keys ({"keys": [...]} expected)`);
  for (const k of keys) {
    if (typeof k?.kid !== "string" || k.kid === "") throw new Error(`${setting}: every key in ${file} needs a "kid"`);
    if (k.kty !== "OKP" || k.crv !== "Ed25519" || typeof k.x !== "string") throw new Error(`${setting}: key ${k.kid} in ${file} is not an Ed25519 key`);
    if (needPrivate && typeof k.d !== "string") throw new Error(`${setting}: key ${k.kid} in ${file} has no private part`);
  }
  if (new Set(keys.map((k) => k.kid)).size !== keys.length) throw new Error(`${setting}: ${file} repeats a kid`);
  return { keys };
}

/** Writes a file readable by its owner only, atomically (a process re-reading it never sees half a set). */
export function writeOwnerOnly(file: string, content: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, content, { mode: 0o600 });
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
}

/** How often a process looks at a key file's modification time, and how often an unknown kid may re-read it. */
const RECHECK_MS = 5000;
const UNKNOWN_KID_RELOAD_MS = 1000;

/**
 * One JWK set file, re-read when it changes (checked at most every few seconds, when the keys are used) or when a
 * token names a kid it does not hold (at most once a second, so a flood of made-up kids costs no disk reads).
 */
export class KeyRing {
  private set: KeySet;
  private imported = new Map<string, Promise<CryptoKey>>();
  /** Inode and modification time of the file as last read: a rotation replaces the file, changing both. */
  private stamp: string;
  private checkedAt = Date.now();
  private reloadedAt = 0;
  private checking?: Promise<void>;
  /** Called after a re-read changed the keys (verifiers drop what they remembered). */
  onChange?: () => void;

  constructor(readonly file: string, readonly setting: string, private readonly needPrivate: boolean) {
    this.set = readKeySet(file, setting, needPrivate);
    this.stamp = stampOf(fs.statSync(file));
  }

  get kids(): string[] {
    return this.set.keys.map((k) => k.kid!);
  }

  /** The key that verifies tokens with this kid (its public part only), or undefined. */
  async verificationKey(kid: string): Promise<CryptoKey | undefined> {
    await this.recheck();
    if (!this.has(kid) && Date.now() - this.reloadedAt >= UNKNOWN_KID_RELOAD_MS) await this.reload();
    if (!this.has(kid)) return undefined;
    return this.importKey(kid, false);
  }

  /** The signing key (the first of the set) and its kid. */
  async signingKey(): Promise<{ kid: string; key: CryptoKey }> {
    await this.recheck();
    const kid = this.set.keys[0].kid!;
    return { kid, key: await this.importKey(kid, true) };
  }

  private has(kid: string): boolean {
    return this.set.keys.some((k) => k.kid === kid);
  }

  private importKey(kid: string, signing: boolean): Promise<CryptoKey> {
    const id = `${signing ? "sign" : "verify"}:${kid}`;
    let key = this.imported.get(id);
    if (!key) {
      const jwk = this.set.keys.find((k) => k.kid === kid)!;
      const { d, ...pub } = jwk;
      key = importJWK(signing ? { ...pub, d } : pub, TOKEN_ALG) as Promise<CryptoKey>;
      this.imported.set(id, key);
    }
    return key;
  }

  /**
   * Re-reads the file when it was replaced or changed, looked at every RECHECK_MS; undefined when it is not
   * time to look (so a caller on a hot path need not await anything).
   */
  recheckIfDue(): Promise<void> | undefined {
    if (Date.now() - this.checkedAt < RECHECK_MS) return undefined;
    return this.recheck();
  }

  private recheck(): Promise<void> {
    if (Date.now() - this.checkedAt < RECHECK_MS) return Promise.resolve();
    return (this.checking ??= (async () => {
      try {
        this.checkedAt = Date.now();
        if (stampOf(await fs.promises.stat(this.file)) !== this.stamp) await this.reload();
      } catch {
        // The file is being replaced or was removed: keep the keys held now and look again later.
      } finally {
        this.checking = undefined;
      }
    })());
  }

  private async reload(): Promise<void> {
    this.reloadedAt = Date.now();
    try {
      const stamp = stampOf(await fs.promises.stat(this.file));
      const next = readKeySet(this.file, this.setting, this.needPrivate);
      this.stamp = stamp;
      if (JSON.stringify(next) === JSON.stringify(this.set)) return;
      this.set = next;
      this.imported = new Map();
      this.onChange?.();
    } catch {
      // A broken file never replaces working keys; the next change is tried again.
    }
  }
}

function stampOf(st: fs.Stats): string {
  return `${st.ino}:${st.mtimeMs}`;
}

export interface TokenClaims {
  subject: string;
  role: "customer" | "admin" | "warehouse" | "service";
  warehouseId?: string;
}

/** Signs tokens with the first key of a set: identity for users, each service for itself (mesh keys). */
export class TokenSigner {
  constructor(private readonly ring: KeyRing) {}

  static fromFile(file: string, setting: string): TokenSigner {
    return new TokenSigner(new KeyRing(file, setting, true));
  }

  /** The kid new tokens are signed with (changes when the key file rotates). */
  async kid(): Promise<string> {
    return (await this.ring.signingKey()).kid;
  }

  async sign(claims: TokenClaims, ttlSeconds: number): Promise<string> {
    const { kid, key } = await this.ring.signingKey();
    return new SignJWT({ role: claims.role, ...(claims.warehouseId ? { wh: claims.warehouseId } : {}) })
      .setProtectedHeader({ alg: TOKEN_ALG, typ: "JWT", kid })
      .setSubject(claims.subject)
      .setIssuer(TOKEN_ISSUER)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
      .sign(key);
  }
}

/** Where `npm start` (and the test harness) keep the key files inside a directory. */
export interface KeyFiles {
  /** AUTH_SIGNING_KEYS_FILE: user keys, private (identity only). */
  signingKeysFile: string;
  /** AUTH_JWKS_FILE: user keys, public (every service). */
  jwksFile: string;
  /** AUTH_SERVICE_KEYS_FILE: mesh keys, private (every service). */
  serviceKeysFile: string;
}

export function keyFilesIn(dir: string): KeyFiles {
  return {
    signingKeysFile: path.join(dir, "signing-keys.json"),
    jwksFile: path.join(dir, "jwks.json"),
    serviceKeysFile: path.join(dir, "service-keys.json"),
  };
}

/** The environment that points a process at the key files (the gateway alone gets the user signing keys). */
export function keyEnv(files: KeyFiles, forIdentity: boolean): Record<string, string> {
  return {
    AUTH_JWKS_FILE: files.jwksFile,
    ...(forIdentity ? { AUTH_SIGNING_KEYS_FILE: files.signingKeysFile } : { AUTH_SERVICE_KEYS_FILE: files.serviceKeysFile }),
  };
}

/**
 * The key files in `dir`, generated when missing and reused when present: the directory is made owner-only
 * (0700) and every file 0600, also when found wider. The public set is always rewritten from the private one.
 */
export function ensureKeyFiles(dir: string): KeyFiles & { generated: boolean } {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  const files = keyFilesIn(dir);
  let generated = false;
  for (const [file, setting] of [[files.signingKeysFile, "AUTH_SIGNING_KEYS_FILE"], [files.serviceKeysFile, "AUTH_SERVICE_KEYS_FILE"]] as const) {
    if (fs.existsSync(file)) {
      fs.chmodSync(file, 0o600);
      readKeySet(file, setting, true);
    } else {
      writeOwnerOnly(file, JSON.stringify({ keys: [generateKey()] }, null, 2));
      generated = true;
    }
  }
  writeOwnerOnly(files.jwksFile, JSON.stringify(publicKeySet(readKeySet(files.signingKeysFile, "AUTH_SIGNING_KEYS_FILE", true)), null, 2));
  return { ...files, generated };
}

/**
 * Rotation: a new key becomes the signer of both sets and the previous signer stays for verification, so tokens
 * already issued keep working until they expire. `retire` also drops every key older than the previous signer
 * (run it once the longest-lived token signed by those keys has expired). Running processes pick the change up.
 */
export function rotateKeyFiles(files: KeyFiles, opts: { retire: boolean }): { signing: string[]; service: string[] } {
  const rotated = (file: string, setting: string) => {
    const keys = [generateKey(), ...readKeySet(file, setting, true).keys];
    return { keys: opts.retire ? keys.slice(0, 2) : keys };
  };
  const signing = rotated(files.signingKeysFile, "AUTH_SIGNING_KEYS_FILE");
  const service = rotated(files.serviceKeysFile, "AUTH_SERVICE_KEYS_FILE");
  // Verifiers learn the new public key before identity signs with it.
  writeOwnerOnly(files.jwksFile, JSON.stringify(publicKeySet(signing), null, 2));
  writeOwnerOnly(files.signingKeysFile, JSON.stringify(signing, null, 2));
  writeOwnerOnly(files.serviceKeysFile, JSON.stringify(service, null, 2));
  return { signing: signing.keys.map((k) => k.kid!), service: service.keys.map((k) => k.kid!) };
}
