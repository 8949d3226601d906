// Structured JSON logs (pino), one logger per process, a child per component. Lines go to standard output, or
// are appended to LOG_FILE when it is set.
import { pino, type Logger } from "pino";

export type { Logger };

export function createLogger(service: string, level = process.env.LOG_LEVEL ?? "info"): Logger {
  const file = process.env.LOG_FILE;
  return pino({ name: service, level, base: { service, pid: process.pid } }, file ? pino.destination({ dest: file, append: true, sync: true }) : undefined);
}
