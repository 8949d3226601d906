// A local certificate authority for mesh TLS: `MESH_TLS=1 npm start`, the benchmarks and the TLS tests make a CA
// and one certificate per process (each service, the gateway, the launcher) in a directory, with @peculiar/x509
// on Node's WebCrypto. ECDSA P-256 keys; each certificate names its process as spiffe://shop-mesh/NAME (and CN),
// is valid for the loopback addresses, localhost and NAME, and serves both as server and as client certificate.
// Files already there are reused while they are signed by the CA, name the same process and are not close to
// expiry. Keys are written owner-only (0600). Deployments bring their own certificates (docs/security.md).
import { webcrypto, X509Certificate as NodeX509 } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
// @peculiar/x509 resolves its algorithm providers through tsyringe, which needs the Reflect metadata API.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { identityOf, MESH_TRUST_DOMAIN } from "../services/lib/mesh-tls.js";

x509.cryptoProvider.set(webcrypto as Crypto);

const KEY_ALGORITHM = { name: "ECDSA", namedCurve: "P-256" } as const;
const SIGNING_ALGORITHM = { name: "ECDSA", hash: "SHA-256" } as const;
const DAY_MS = 86_400_000;
const CA_DAYS = 5 * 365;
const LEAF_DAYS = 365;
/** A certificate this close to expiry is made anew on the next start. */
const RENEW_DAYS = 30;

/** Where each process's PEM files are, as the TLS_* variables it is started with. */
export interface MeshCertificates {
  dir: string;
  envFor(name: string): { TLS_CA: string; TLS_CERT: string; TLS_KEY: string };
}

/**
 * Makes (or reuses) the CA and a certificate for each of `names` in `dir`. `caName` tells apart CAs that must
 * not trust each other (a test's foreign CA).
 */
export async function ensureMeshCertificates(dir: string, names: string[], caName = "shop-mesh local CA"): Promise<MeshCertificates> {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  const file = (name: string, ext: "crt" | "key") => path.join(dir, `${name}.${ext}`);
  let ca = reusable(file("ca", "crt"), file("ca", "key"));
  let caRenewed = false;
  if (!ca) {
    ca = await issue({ name: caName, days: CA_DAYS });
    write(file("ca", "crt"), file("ca", "key"), ca);
    caRenewed = true;
  }
  const caCert = new NodeX509(ca.cert);
  for (const name of names) {
    const leaf = caRenewed ? undefined : reusable(file(name, "crt"), file(name, "key"));
    const current = leaf && new NodeX509(leaf.cert);
    if (current && current.verify(caCert.publicKey) && identityOf(current) === name) continue;
    write(file(name, "crt"), file(name, "key"), await issue({ name, days: LEAF_DAYS, issuer: ca }));
  }
  return {
    dir,
    envFor: (name) => ({ TLS_CA: file("ca", "crt"), TLS_CERT: file(name, "crt"), TLS_KEY: file(name, "key") }),
  };
}

interface Pem {
  cert: string;
  key: string;
}

/** The PEM pair at these paths when both exist and the certificate is valid for RENEW_DAYS more. */
function reusable(certFile: string, keyFile: string): Pem | undefined {
  try {
    const pem = { cert: fs.readFileSync(certFile, "utf8"), key: fs.readFileSync(keyFile, "utf8") };
    const validTo = new Date(new NodeX509(pem.cert).validTo).getTime();
    return validTo - Date.now() > RENEW_DAYS * DAY_MS ? pem : undefined;
  } catch {
    return undefined;
  }
}

function write(certFile: string, keyFile: string, pem: Pem): void {
  // A key file is created owner-only (and narrowed if it existed), then replaced whole.
  fs.writeFileSync(keyFile, pem.key, { mode: 0o600 });
  fs.chmodSync(keyFile, 0o600);
  fs.writeFileSync(certFile, pem.cert, { mode: 0o644 });
}

/** A self-signed CA (no issuer) or a leaf certificate for process `name` signed by `issuer`. */
async function issue(spec: { name: string; days: number; issuer?: Pem }): Promise<Pem> {
  const keys = await webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ["sign", "verify"]) as CryptoKeyPair;
  const notBefore = new Date(Date.now() - 5 * 60_000); // a little slack for clocks that differ
  const common = {
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(16))).toString("hex").replace(/^[89a-f]/, "1"),
    notBefore,
    notAfter: new Date(notBefore.getTime() + spec.days * DAY_MS),
    signingAlgorithm: SIGNING_ALGORITHM,
  };
  let cert: x509.X509Certificate;
  if (!spec.issuer) {
    cert = await x509.X509CertificateGenerator.createSelfSigned({
      ...common,
      name: `CN=${spec.name}`,
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
  } else {
    const issuerCert = new x509.X509Certificate(spec.issuer.cert);
    const issuerKey = await importKey(spec.issuer.key);
    cert = await x509.X509CertificateGenerator.create({
      ...common,
      subject: `CN=${spec.name}`,
      issuer: issuerCert.subject,
      publicKey: keys.publicKey,
      signingKey: issuerKey,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
        new x509.SubjectAlternativeNameExtension([
          { type: "url", value: `spiffe://${MESH_TRUST_DOMAIN}/${spec.name}` },
          { type: "dns", value: spec.name },
          { type: "dns", value: "localhost" },
          { type: "ip", value: "127.0.0.1" },
          { type: "ip", value: "::1" },
        ]),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
        await x509.AuthorityKeyIdentifierExtension.create(issuerCert),
      ],
    });
  }
  const pkcs8 = await webcrypto.subtle.exportKey("pkcs8", keys.privateKey);
  return { cert: cert.toString("pem"), key: x509.PemConverter.encode(pkcs8, "PRIVATE KEY") };
}

function importKey(pem: string): Promise<CryptoKey> {
  return webcrypto.subtle.importKey("pkcs8", x509.PemConverter.decodeFirst(pem), { ...KEY_ALGORITHM }, false, ["sign"]);
}
