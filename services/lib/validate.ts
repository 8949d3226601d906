// Request validation at the edge of every handler: each check throws InvalidArgument naming the field,
// so a bad value never reaches SQL and the caller learns exactly what to fix.
import type { Money } from "../../gen/shop/common/v1/common_pb.js";
import { invalidArgument } from "./errors.js";
import { CURRENCIES } from "./money.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** A required UUID; returned lower-cased so it compares equal to what Postgres returns. */
export function uuid(value: string, field: string): string {
  if (value === "") throw invalidArgument(field, "is required");
  if (!UUID.test(value)) throw invalidArgument(field, "must be a UUID");
  return value.toLowerCase();
}

/** An optional UUID: empty stays empty. */
export function optionalUuid(value: string, field: string): string {
  return value === "" ? "" : uuid(value, field);
}

export interface TextRule {
  min?: number;
  max: number;
  pattern?: RegExp;
  patternHint?: string;
}

/** Trimmed text within length bounds (in characters), without control characters. */
export function text(value: string, field: string, rule: TextRule): string {
  const v = value.trim();
  const min = rule.min ?? 0;
  const length = [...v].length;
  if (min > 0 && length === 0) throw invalidArgument(field, "is required");
  if (length < min) throw invalidArgument(field, `must be at least ${min} characters`);
  if (length > rule.max) throw invalidArgument(field, `must be at most ${rule.max} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(v)) throw invalidArgument(field, "contains control characters");
  if (rule.pattern && v !== "" && !rule.pattern.test(v)) {
    throw invalidArgument(field, rule.patternHint ?? `must match ${rule.pattern}`);
  }
  return v;
}

export function int(value: number, field: string, min: number, max: number): number {
  if (!Number.isInteger(value)) throw invalidArgument(field, "must be a whole number");
  if (value < min || value > max) throw invalidArgument(field, `must be between ${min} and ${max}`);
  return value;
}

/** A required, known-currency, non-negative amount. */
export function price(value: Money | undefined, field: string, maxMinorUnits = 10_000_000_000n): Money {
  if (!value) throw invalidArgument(field, "is required");
  if (!(value.currencyCode in CURRENCIES)) {
    throw invalidArgument(`${field}.currency_code`, `unknown currency ${JSON.stringify(value.currencyCode)}`);
  }
  if (value.minorUnits < 0n) throw invalidArgument(`${field}.minor_units`, "must not be negative");
  if (value.minorUnits > maxMinorUnits) throw invalidArgument(`${field}.minor_units`, `must be at most ${maxMinorUnits}`);
  return value;
}

/** http(s) URL or empty. */
export function url(value: string, field: string, max = 2000): string {
  const v = text(value, field, { max });
  if (v === "") return v;
  let parsed: URL;
  try {
    parsed = new URL(v);
  } catch {
    throw invalidArgument(field, "must be an http(s) URL");
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw invalidArgument(field, "must be an http(s) URL");
  return v;
}

/** page_size: 0 means the default; otherwise 1..max. */
export function pageSize(value: number, field: string, fallback: number, max: number): number {
  if (value === 0) return fallback;
  return int(value, field, 1, max);
}

/** A list of distinct UUIDs with a count limit. */
export function uuidList(values: string[], field: string, min: number, max: number): string[] {
  if (values.length < min) throw invalidArgument(field, min === 1 ? "must not be empty" : `needs at least ${min} entries`);
  if (values.length > max) throw invalidArgument(field, `must have at most ${max} entries`);
  return [...new Set(values.map((v, i) => uuid(v, `${field}[${i}]`)))];
}

/**
 * Opaque page tokens: base64url JSON of the cursor. Tampered or foreign tokens answer InvalidArgument,
 * never a crash in the query.
 */
export function encodePageToken(cursor: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(cursor)).toString("base64url");
}

export function decodePageToken<T extends Record<string, string | number>>(
  token: string,
  field: string,
  shape: { [K in keyof T]: "string" | "number" },
): T | undefined {
  if (token === "") return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch {
    throw invalidArgument(field, "is not a token this service issued");
  }
  if (typeof parsed !== "object" || parsed === null) throw invalidArgument(field, "is not a token this service issued");
  for (const [key, type] of Object.entries(shape)) {
    if (typeof (parsed as Record<string, unknown>)[key] !== type) {
      throw invalidArgument(field, "is not a token this service issued");
    }
  }
  return parsed as T;
}
