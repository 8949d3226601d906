// What telemetry costs, measured by a benchmark run once per setting on a fresh throwaway stack each
// (`--telemetry-matrix` of bench:checkout and bench:search): off, metrics only, metrics + traces sampled at 10%,
// and at 100%. Traces go to an OTLP/HTTP receiver inside the benchmark process that counts the spans it gets, so
// the exporters do their real work (protobuf over HTTP, batching) and the figures say how many spans each run made.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import { benchStack, type BenchStack, type BenchStackOptions } from "./stack.js";

export interface TelemetryVariant {
  name: string;
  env: Record<string, string>;
}

/**
 * The settings compared, each adding one thing to the one before: "metrics" (every process serves /metrics,
 * scraped here every SCRAPE_MS; logs at warn, so no access log), "metrics+access_log" (LOG_LEVEL=info, what a
 * deployment runs by default: one access-log line per RPC), then traces sampled at 10% and 100%.
 */
export function telemetryVariants(sinkUrl: string): TelemetryVariant[] {
  const traces = (ratio: string) => ({
    LOG_LEVEL: "info", OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl, OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
    OTEL_TRACES_SAMPLER: "parentbased_traceidratio", OTEL_TRACES_SAMPLER_ARG: ratio,
  });
  return [
    { name: "off", env: { METRICS_ENABLED: "false", ACCESS_LOG: "false" } },
    { name: "metrics", env: { LOG_LEVEL: "warn" } },
    { name: "metrics+access_log", env: { LOG_LEVEL: "info" } },
    { name: "metrics+traces_10pct", env: traces("0.1") },
    { name: "metrics+traces_100pct", env: traces("1") },
  ];
}

/** How often the benchmark scrapes every process while metrics are on (Prometheus' default is 15-60 s). */
const SCRAPE_MS = 5000;

/**
 * Runs `run` `rounds` times per variant (`only`: those named, with "off"), each on its own throwaway stack started with the variant's environment,
 * the variants taking turns (off, metrics, ..., off, metrics, ...) so that a machine whose speed drifts during the
 * matrix weighs on every variant alike. Returns per variant its median run by `throughput` (a figure of the
 * result, e.g. orders_per_s) beside every run's value of `throughput` and `perUnit` (e.g. cpu_ms_per_order), the
 * spans the sink received and the median's throughput relative to "off".
 */
export async function telemetryMatrix<R extends Record<string, unknown>>(
  log: (m: string) => void, figures: { throughput: keyof R & string; perUnit?: keyof R & string; rounds?: number; only?: string[] },
  run: (stack: BenchStack) => Promise<R>, stackOpts: BenchStackOptions = {},
): Promise<Record<string, unknown>> {
  const { throughput, perUnit, rounds = 1, only } = figures;
  const sink = await startSpanSink();
  const all = telemetryVariants(sink.url);
  const unknown = (only ?? []).filter((name) => !all.some((v) => v.name === name));
  if (unknown.length) {
    await sink.close();
    throw new Error(`unknown telemetry setting ${unknown.join(", ")}: the settings are ${all.map((v) => v.name).join(", ")}`);
  }
  // "off" always runs first: every other setting is compared with it.
  const variants = only ? all.filter((v) => v.name === "off" || only.includes(v.name)) : all;
  const runs = new Map<string, Record<string, unknown>[]>(variants.map((v) => [v.name, []]));
  try {
    for (let round = 1; round <= rounds; round++) {
      for (const variant of variants) {
        log(`telemetry ${variant.name} (round ${round} of ${rounds}): starting a stack with ${JSON.stringify(variant.env)}`);
        const stack = await benchStack(log, { ...stackOpts, env: { ...stackOpts.env, ...variant.env }, throwaway: true });
        const scraper = scrapeEvery(stack.metricsUrls, SCRAPE_MS);
        const spansBefore = sink.spans;
        let result: R;
        try {
          result = await run(stack);
        } finally {
          scraper.stop();
          await stack.stop(); // flushes the exporters: the spans of the run's last seconds arrive before the count
        }
        runs.get(variant.name)!.push({ ...result, spans_exported: sink.spans - spansBefore, scrapes: scraper.count() });
      }
    }
  } finally {
    await sink.close();
  }
  const figure = (r: Record<string, unknown>, key: string) => Number(r[key]);
  const median = (rs: Record<string, unknown>[]) => [...rs].sort((a, b) => figure(a, throughput) - figure(b, throughput))[Math.floor((rs.length - 1) / 2)];
  const base = figure(median(runs.get(variants[0].name)!), throughput);
  return {
    telemetry_rounds: rounds,
    telemetry_matrix: variants.map(({ name }) => {
      const rs = runs.get(name)!;
      const m = median(rs);
      return {
        telemetry: name, ...m,
        [`${throughput}_vs_off`]: base ? Math.round((figure(m, throughput) / base) * 1000) / 1000 : null,
        [`${throughput}_runs`]: rs.map((r) => figure(r, throughput)),
        ...(perUnit ? { [`${perUnit}_runs`]: rs.map((r) => figure(r, perUnit)) } : {}),
      };
    }),
  };
}

function scrapeEvery(urls: string[], ms: number): { count(): number; stop(): void } {
  let count = 0;
  const timer = setInterval(() => {
    for (const url of urls) void fetch(url).then((r) => r.text()).then(() => { count++; }, () => {});
  }, ms);
  return { count: () => count, stop: () => clearInterval(timer) };
}

/** An OTLP/HTTP trace receiver (POST /v1/traces, protobuf or JSON) that counts the spans it is sent. */
export async function startSpanSink(): Promise<{ url: string; readonly spans: number; close(): Promise<void> }> {
  let spans = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (req.method !== "POST" || req.url !== "/v1/traces") return void res.writeHead(404).end();
      const body = Buffer.concat(chunks);
      try {
        spans += /json/.test(req.headers["content-type"] ?? "") ? spansInJson(body) : spansInProtobuf(body);
      } catch {
        return void res.writeHead(400).end();
      }
      res.writeHead(200, { "content-type": req.headers["content-type"] ?? "application/x-protobuf" }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get spans() { return spans; },
    close: () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
}

function spansInJson(body: Buffer): number {
  const req = JSON.parse(body.toString("utf8")) as { resourceSpans?: { scopeSpans?: { spans?: unknown[] }[] }[] };
  return (req.resourceSpans ?? []).reduce((n, rs) => n + (rs.scopeSpans ?? []).reduce((m, ss) => m + (ss.spans?.length ?? 0), 0), 0);
}

/**
 * Counts spans in an ExportTraceServiceRequest without decoding them: resource_spans (field 1) hold scope_spans
 * (field 2), which hold spans (field 2).
 */
function spansInProtobuf(body: Uint8Array): number {
  const each = (bytes: Uint8Array, field: number, visit: (inner: Uint8Array) => void) => {
    const r = new BinaryReader(bytes);
    while (r.pos < r.len) {
      const [no, type] = r.tag();
      if (no === field && type === WireType.LengthDelimited) visit(r.bytes());
      else r.skip(type);
    }
  };
  let spans = 0;
  each(body, 1, (resourceSpans) => each(resourceSpans, 2, (scopeSpans) => each(scopeSpans, 2, () => { spans++; })));
  return spans;
}
