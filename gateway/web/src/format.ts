// How numbers, money, dates and statuses read in the storefront.
import type { Money } from "../../../gen/shop/common/v1/common_pb.js";
import { timestampDate, type Timestamp } from "@bufbuild/protobuf/wkt";

const formatters = new Map<string, Intl.NumberFormat>();

function currencyFormat(code: string): Intl.NumberFormat {
  let f = formatters.get(code);
  if (!f) {
    f = new Intl.NumberFormat("en-US", { style: "currency", currency: code });
    formatters.set(code, f);
  }
  return f;
}

/** Digits after the decimal point in a currency (2 for USD, 0 for JPY). */
export function minorDigits(code: string): number {
  return currencyFormat(code).resolvedOptions().maximumFractionDigits ?? 2;
}

export function formatMoney(m: Money | undefined): string {
  if (!m) return "";
  const digits = minorDigits(m.currencyCode);
  // Exact: split the integer minor units instead of dividing a float.
  const negative = m.minorUnits < 0n;
  const abs = negative ? -m.minorUnits : m.minorUnits;
  const scale = 10n ** BigInt(digits);
  const major = abs / scale;
  const minor = abs % scale;
  const text = digits ? `${major}.${minor.toString().padStart(digits, "0")}` : `${major}`;
  return currencyFormat(m.currencyCode).format(Number(`${negative ? "-" : ""}${text}`));
}

/** "12.99" -> 1299n in a currency's minor units; undefined when the text is not an amount. */
export function parseMoney(text: string, code = "USD"): bigint | undefined {
  const digits = minorDigits(code);
  const m = /^\s*\$?\s*(\d{1,10})(?:\.(\d{0,2}))?\s*$/.exec(text);
  if (!m) return undefined;
  const frac = (m[2] ?? "").padEnd(digits, "0").slice(0, digits);
  return BigInt(m[1]) * 10n ** BigInt(digits) + BigInt(frac || "0");
}

/** Minor units as a plain decimal for an input's value ("12.99"). */
export function moneyInput(m: Money | undefined): string {
  if (!m) return "";
  const digits = minorDigits(m.currencyCode);
  const scale = 10n ** BigInt(digits);
  return digits ? `${m.minorUnits / scale}.${(m.minorUnits % scale).toString().padStart(digits, "0")}` : `${m.minorUnits}`;
}

export function formatDate(t: Timestamp | undefined): string {
  if (!t) return "";
  return timestampDate(t).toLocaleString("en-US", { dateStyle: "medium", timeStyle: "short" });
}

export function plural(n: number | bigint, one: string, many = `${one}s`): string {
  return `${n.toLocaleString("en-US")} ${n === 1 || n === 1n ? one : many}`;
}

/**
 * Labels of a protobuf enum's values for people: each name in sentence case ("ON_HOLD" is "On hold"), UNSPECIFIED
 * as "Unknown", and `differently` where the page words a value its own way.
 */
export function enumLabels<E extends number>(
  enumObject: Record<string, string | number>, differently: Partial<Record<E, string>> = {},
): Record<E, string> {
  const labels = {} as Record<E, string>;
  for (const [name, value] of Object.entries(enumObject)) {
    if (typeof value !== "number") continue;
    const words = name === "UNSPECIFIED" ? "Unknown" : name.charAt(0) + name.slice(1).toLowerCase().replaceAll("_", " ");
    labels[value as E] = differently[value as E] ?? words;
  }
  return labels;
}

/** "Only 3 left", "Out of stock" or "In stock", from stock left and the low-stock flag. */
export function stockLabel(stockLeft: number, lowStock: boolean): { text: string; kind: "out" | "low" | "in" } {
  if (stockLeft <= 0) return { text: "Out of stock", kind: "out" };
  if (lowStock) return { text: `Only ${stockLeft} left`, kind: "low" };
  return { text: "In stock", kind: "in" };
}

/** m:ss */
export function clock(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}
