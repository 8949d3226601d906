// Structured JSON logs (pino), one logger per process, a child per component. Lines go to standard output, or
// are appended to LOG_FILE when it is set; within a traced request they carry its trace and span ids.
import { trace } from "@opentelemetry/api";
import { pino, type Logger } from "pino";

export type { Logger };

export function createLogger(service: string, level = process.env.LOG_LEVEL ?? "info"): Logger {
  const file = process.env.LOG_FILE;
  return pino(
    { name: service, level, base: { service, pid: process.pid }, mixin: traceIds },
    file ? pino.destination({ dest: file, append: true, sync: true }) : undefined,
  );
}

/** The ids of the span being recorded where a line is logged, so logs and traces join. */
function traceIds(): { trace_id?: string; span_id?: string } {
  const span = trace.getActiveSpan();
  if (!span?.isRecording()) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}
