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
 * The settings compared. "metrics" is what a deployment runs by default: every process serves /metrics (scraped
 * here every SCRAPE_MS) and writes its access log at info.
 */
export function telemetryVariants(sinkUrl: string): TelemetryVariant[] {
  const traces = (ratio: string) => ({
    LOG_LEVEL: "info", OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl, OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
    OTEL_TRACES_SAMPLER: "parentbased_traceidratio", OTEL_TRACES_SAMPLER_ARG: ratio,
  });
  return [
    { name: "off", env: { METRICS_ENABLED: "false", ACCESS_LOG: "false" } },
    { name: "metrics", env: { LOG_LEVEL: "info" } },
    { name: "metrics+traces_10pct", env: traces("0.1") },
    { name: "metrics+traces_100pct", env: traces("1") },
  ];
}

/** How often the benchmark scrapes every process while metrics are on (Prometheus' default is 15-60 s). */
const SCRAPE_MS = 5000;

/**
 * Runs `run` once per variant, each on its own throwaway stack started with the variant's environment, and
 * returns every result beside the variant's name, the spans the sink received and its throughput relative to
 * "off" (`throughput` names the result's figure to compare, e.g. orders_per_s).
 */
export async function telemetryMatrix<R extends Record<string, unknown>>(
  log: (m: string) => void, throughput: keyof R & string, run: (stack: BenchStack) => Promise<R>,
  stackOpts: BenchStackOptions = {},
): Promise<Record<string, unknown>> {
  const sink = await startSpanSink();
  const results: Record<string, unknown>[] = [];
  try {
    for (const variant of telemetryVariants(sink.url)) {
      log(`telemetry ${variant.name}: starting a stack with ${JSON.stringify(variant.env)}`);
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
      results.push({ telemetry: variant.name, ...result, spans_exported: sink.spans - spansBefore, scrapes: scraper.count() });
    }
  } finally {
    await sink.close();
  }
  const base = Number(results[0][throughput]);
  return {
    telemetry_matrix: results.map((r) => ({ ...r, [`${throughput}_vs_off`]: base ? Math.round((Number(r[throughput]) / base) * 1000) / 1000 : null })),
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
