// Mutual TLS between the processes of the mesh, on when TLS_CA, TLS_CERT and TLS_KEY name PEM files: every
// service's gRPC server asks each caller for a certificate signed by the CA and refuses the connection without
// one, and every mesh client presents its own certificate and checks the server's against the same CA. The
// certificate is a process's identity: a service authorizes mesh-only RPCs by the name in its caller's
// certificate (mesh-access.ts), never by a token. Without the variables the mesh speaks cleartext HTTP/2, as in
// development and tests that do not ask for TLS. docs/security.md ("Mesh TLS") says how certificates are made.
import fs from "node:fs";
import { X509Certificate } from "node:crypto";
import * as grpc from "@grpc/grpc-js";

/** The SPIFFE trust domain of the mesh's certificates: a process named `order` is spiffe://shop-mesh/order. */
export const MESH_TRUST_DOMAIN = "shop-mesh";

/** PEM material of one process: the CA it trusts, its certificate (chain) and private key. */
export interface MeshTls {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
  /** Who the certificate names (SAN URI spiffe://shop-mesh/NAME, else its CN), for logs. */
  identity: string;
}

export const TLS_ENV = ["TLS_CA", "TLS_CERT", "TLS_KEY"] as const;

/**
 * The process's TLS material from TLS_CA / TLS_CERT / TLS_KEY, or undefined when none is set. Setting only some
 * of them, or naming a file that cannot be read or parsed, is a start-up error naming the variable: a process
 * must never fall back to cleartext because one path was mistyped.
 */
export function meshTlsFromEnv(env: Record<string, string | undefined>): MeshTls | undefined {
  const given = TLS_ENV.filter((name) => env[name]);
  if (given.length === 0) return undefined;
  const missing = TLS_ENV.filter((name) => !env[name]);
  if (missing.length) throw new Error(`mesh TLS needs TLS_CA, TLS_CERT and TLS_KEY together: ${missing.join(", ")} not set`);
  const read = (name: (typeof TLS_ENV)[number]) => {
    try {
      return fs.readFileSync(env[name]!);
    } catch (err) {
      throw new Error(`${name}: cannot read ${env[name]}: ${(err as Error).message}`);
    }
  };
  const [ca, cert, key] = TLS_ENV.map(read);
  let identity: string | undefined;
  try {
    identity = identityOf(new X509Certificate(cert));
  } catch (err) {
    throw new Error(`TLS_CERT: ${env.TLS_CERT} is not a PEM certificate: ${(err as Error).message}`);
  }
  if (!identity) throw new Error(`TLS_CERT: ${env.TLS_CERT} names no process (no spiffe://${MESH_TRUST_DOMAIN}/NAME URI and no CN)`);
  return { ca, cert, key, identity };
}

/** Server side: TLS that requires and verifies a client certificate, or cleartext without TLS material. */
export function serverCredentials(tls: MeshTls | undefined): grpc.ServerCredentials {
  if (!tls) return grpc.ServerCredentials.createInsecure();
  return grpc.ServerCredentials.createSsl(tls.ca, [{ cert_chain: tls.cert, private_key: tls.key }], true);
}

/**
 * Client side: presents the process's certificate and verifies the server's chain and host name (the address
 * called, e.g. 127.0.0.1 or inventory.shop.svc, must be in the server certificate's SAN), or cleartext.
 */
export function channelCredentials(tls: MeshTls | undefined): grpc.ChannelCredentials {
  if (!tls) return grpc.credentials.createInsecure();
  return grpc.credentials.createSsl(tls.ca, tls.key, tls.cert);
}

/**
 * The process a certificate names: the last path segment of a spiffe://shop-mesh/ URI SAN, else the subject's
 * CN (cert-manager Certificates set either). Undefined when it names none.
 */
export function identityOf(cert: { subjectAltName?: string; subjectaltname?: string; subject?: string | { CN?: string | string[] } }): string | undefined {
  const san = cert.subjectAltName ?? cert.subjectaltname ?? "";
  const prefix = `URI:spiffe://${MESH_TRUST_DOMAIN}/`;
  for (const entry of san.split(/,\s*/)) {
    if (entry.startsWith(prefix)) {
      const name = entry.slice(prefix.length);
      if (/^[a-z][a-z0-9-]{0,62}$/.test(name)) return name;
    }
  }
  const subject = cert.subject;
  if (typeof subject === "string") return /^CN=(.+)$/m.exec(subject)?.[1];
  const cn = subject?.CN;
  return Array.isArray(cn) ? cn[0] : cn;
}

/** The identity of the caller of a grpc-js call from its verified client certificate; undefined over cleartext. */
export function callerCertificateIdentity(call: { getAuthContext(): { sslPeerCertificate?: object } | null }): string | undefined {
  const peer = call.getAuthContext()?.sslPeerCertificate;
  return peer ? identityOf(peer as Parameters<typeof identityOf>[0]) : undefined;
}
