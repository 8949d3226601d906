// Starting a gateway in tests: the suite's Redis, the given database (the identity schema lives beside the
// services' schemas), services found at the given URLs, port 0.
import { createClient, type Client } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import type { DescService } from "@bufbuild/protobuf";
import { loadConfig } from "../../services/lib/config.js";
import { testInfra, testKeyEnv } from "../../test/harness.js";
import { startGateway, type RunningGateway } from "../src/main.js";

export async function startTestGateway(opts: {
  databaseUrl: string;
  services?: Record<string, { url: string }>;
  env?: Record<string, string>;
}): Promise<RunningGateway> {
  const infra = testInfra();
  const addrs: Record<string, string> = {};
  for (const [name, s] of Object.entries(opts.services ?? {})) addrs[`${name.toUpperCase()}_ADDR`] = s.url;
  const config = loadConfig("gateway", {
    DATABASE_URL: opts.databaseUrl,
    REDIS_URL: infra.redisUrl,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    SHUTDOWN_GRACE_MS: "1000",
    DB_POOL_SIZE: "4",
    ...testKeyEnv(true),
    ...addrs,
    ...opts.env,
  });
  return startGateway({ ...config, port: 0 });
}

/** A Connect (JSON over HTTP/1.1) client of the gateway, as a browser's connect-web client would call it. */
export function gatewayClient<T extends DescService>(service: T, gatewayUrl: string, headers: Record<string, string> = {}): Client<T> {
  return createClient(service, createConnectTransport({
    baseUrl: gatewayUrl,
    httpVersion: "1.1",
    useBinaryFormat: false,
    interceptors: [(next) => (req) => {
      for (const [k, v] of Object.entries(headers)) req.header.set(k, v);
      return next(req);
    }],
  }));
}

/** A distinct client address per test (with TRUST_PROXY=true the gateway takes it from X-Forwarded-For), so limits never collide. */
export function fromAddress(): Record<string, string> {
  return { "x-forwarded-for": `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}` };
}
