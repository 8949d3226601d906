// OpenTelemetry tracing, configured by the standard OTEL_* variables and off unless an exporter is configured
// (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or OTEL_TRACES_EXPORTER=otlp). The sampler
// comes from OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG (e.g. parentbased_traceidratio and 0.1).
//
// W3C trace context crosses every hop: gRPC metadata between processes (the interceptor and traced() below),
// Postgres queries as child spans (the pg instrumentation), and NATS: the outbox row keeps the context of the
// transaction that wrote it, the relay's publish span puts it in the message headers, consumers continue it.
import {
  context, INVALID_SPAN_CONTEXT, propagation, SpanKind, SpanStatusCode, trace,
  type Attributes, type Context, type Link, type Span, type TextMapGetter,
} from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter as OtlpJson } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as OtlpProto } from "@opentelemetry/exporter-trace-otlp-proto";
import { registerInstrumentations } from "@opentelemetry/instrumentation";
import { PgInstrumentation } from "@opentelemetry/instrumentation-pg";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import pg from "pg";
import { serviceAndMethod } from "./grpc-metadata.js";

const tracer = trace.getTracer("shop-mesh");
let provider: NodeTracerProvider | undefined;

/** Whether the environment asks for traces to be exported. */
function tracingConfigured(env: Record<string, string | undefined>): boolean {
  if (env.OTEL_SDK_DISABLED === "true" || env.OTEL_TRACES_EXPORTER === "none") return false;
  return env.OTEL_TRACES_EXPORTER === "otlp" || Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

/**
 * Starts exporting this process's spans as `serviceName` (OTEL_SERVICE_NAME overrides) when configured; once
 * per process. Returns how to flush and stop, or undefined when tracing stays off.
 */
export function startTracing(serviceName: string, env: Record<string, string | undefined> = process.env): { shutdown(): Promise<void> } | undefined {
  if (provider || !tracingConfigured(env)) return undefined;
  const protocol = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? "http/protobuf";
  if (protocol !== "http/protobuf" && protocol !== "http/json") {
    throw new Error(`OTEL_EXPORTER_OTLP_PROTOCOL=${protocol} is not supported: use http/protobuf or http/json`);
  }
  const exporter = protocol === "http/json" ? new OtlpJson() : new OtlpProto();
  provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ "service.name": env.OTEL_SERVICE_NAME ?? serviceName }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  provider.register({ propagator: new W3CTraceContextPropagator() });
  const pgInstrumentation = new PgInstrumentation({ requireParentSpan: true });
  registerInstrumentations({ tracerProvider: provider, instrumentations: [pgInstrumentation] });
  // The hook above patches pg when it is require()d; the mesh imports it as an ES module, already loaded by now.
  pgInstrumentation.getModuleDefinitions().find((d) => d.name === "pg")?.patch?.(pg);
  const p = provider;
  return { shutdown: () => p.shutdown() };
}

const headersGetter: TextMapGetter<Headers> = {
  keys: (h) => { const out: string[] = []; h.forEach((_, k) => out.push(k)); return out; },
  get: (h, key) => h.get(key) ?? undefined,
};

/** The trace context carried by `header` (a request's metadata, a message's headers), else the active one. */
function contextFrom(header: Headers | undefined): Context {
  return header ? propagation.extract(context.active(), header, headersGetter) : context.active();
}

/** The W3C traceparent of the active span (to keep beside an outbox row), if one is being recorded. */
export function currentTraceparent(): string | undefined {
  if (!trace.getActiveSpan()?.isRecording()) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

/** The context a traceparent string names (an outbox row's, a message's header), or the active one. */
export function contextOfTraceparent(traceparent: string | undefined | null): Context {
  return traceparent ? propagation.extract(context.active(), { traceparent }) : context.active();
}

/**
 * Runs `work` in a new span (a child of `parent`), ending it with the outcome; without tracing it only runs
 * `work`. `carrier`, when given, receives the new span's traceparent for the next hop.
 */
export async function inSpan<T>(
  name: string, opts: { kind: SpanKind; attributes?: Attributes; parent?: Context; links?: Link[]; carrier?: { set(key: string, value: string): void } },
  work: (span: Span) => Promise<T>,
): Promise<T> {
  if (!provider) return work(trace.wrapSpanContext(INVALID_SPAN_CONTEXT));
  const parent = opts.parent ?? context.active();
  const span = tracer.startSpan(name, { kind: opts.kind, attributes: opts.attributes, links: opts.links }, parent);
  const ctx = trace.setSpan(parent, span);
  if (opts.carrier) propagation.inject(ctx, opts.carrier, { set: (c, k, v) => c.set(k, v) });
  try {
    const out = await context.with(ctx, () => work(span));
    span.end();
    return out;
  } catch (err) {
    const code = err instanceof ConnectError ? err.code : Code.Unknown;
    span.setAttribute("rpc.grpc.status_code", code);
    span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof ConnectError ? Code[code] : (err as Error)?.name });
    span.end();
    throw err;
  }
}

const rpcAttributes = (path: string): Attributes => {
  const { service, method } = serviceAndMethod(path);
  return { "rpc.system": "grpc", "rpc.service": service, "rpc.method": method };
};

/** Server spans: each call continues the caller's trace (traceparent in its metadata). */
export function tracingInterceptor(): Interceptor {
  return (next) => (req) => {
    if (!provider) return next(req);
    const path = `/${req.service.typeName}/${req.method.name}`;
    return inSpan(path.slice(1), { kind: SpanKind.SERVER, attributes: rpcAttributes(path), parent: contextFrom(req.header) }, () => next(req));
  };
}

/** A client span around a call to another service, whose metadata (`header`, copied) carries the context on. */
export function tracedCall<T>(path: string, header: HeadersInit | undefined, call: (header: HeadersInit | undefined) => Promise<T>): Promise<T> {
  if (!provider) return call(header);
  const carrier = new Headers(header);
  return inSpan(path.slice(1), { kind: SpanKind.CLIENT, attributes: rpcAttributes(path), carrier }, () => call(carrier));
}

export { SpanKind };
