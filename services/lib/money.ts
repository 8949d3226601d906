// Money is integer minor units plus an ISO 4217 code (proto shop.common.v1.Money); never a float.
import { create } from "@bufbuild/protobuf";
import { MoneySchema, type Money } from "../../gen/shop/common/v1/common_pb.js";

/** Currencies the shop accepts, with their number of minor-unit digits (ISO 4217). */
export const CURRENCIES: Readonly<Record<string, number>> = {
  USD: 2, CAD: 2, MXN: 2, EUR: 2, GBP: 2, CHF: 2, SEK: 2, NOK: 2, DKK: 2, PLN: 2,
  AUD: 2, NZD: 2, JPY: 0, KRW: 0, CNY: 2, INR: 2, BRL: 2, ZAR: 2, SGD: 2, HKD: 2,
};

/** The one currency this region's store sells in. */
export const STORE_CURRENCY = "USD";

export function money(minorUnits: bigint | number, currencyCode = STORE_CURRENCY): Money {
  return create(MoneySchema, { currencyCode, minorUnits: BigInt(minorUnits) });
}

/** Sum of amounts in one currency; throws on a mix, which would be a bug upstream. */
export function sumMoney(amounts: Money[], currencyCode = STORE_CURRENCY): Money {
  let total = 0n;
  for (const m of amounts) {
    if (m.currencyCode !== currencyCode) throw new Error(`cannot add ${m.currencyCode} to ${currencyCode}`);
    total += m.minorUnits;
  }
  return money(total, currencyCode);
}

/** "$12.99"-style text for logs and messages. */
export function formatMoney(m: Money): string {
  const digits = CURRENCIES[m.currencyCode] ?? 2;
  const scale = 10n ** BigInt(digits);
  const abs = m.minorUnits < 0n ? -m.minorUnits : m.minorUnits;
  const frac = digits ? `.${(abs % scale).toString().padStart(digits, "0")}` : "";
  return `${m.minorUnits < 0n ? "-" : ""}${abs / scale}${frac} ${m.currencyCode}`;
}
