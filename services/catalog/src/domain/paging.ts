// ListItems page tokens: an opaque keyset cursor (create_time, id) of the last item returned, bound to the
// filter it was issued for, so a token cannot silently page a different listing.
import { invalidArgument } from "../../../lib/errors.js";
import { decodePageToken, encodePageToken, isUuid } from "../../../lib/validate.js";

export interface ListFilter {
  categoryId: string;
  includeArchived: boolean;
}

export interface Cursor {
  /** ISO 8601 UTC with microseconds. */
  createTime: string;
  id: string;
}

type Token = { t: string; i: string; c: string; a: number };

const ISO_MICROS = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3})(\d{3})Z$/;

/** Microseconds since the epoch (as Postgres gives them) -> exact ISO text. */
export function isoFromMicros(us: string): string {
  const micros = BigInt(us);
  const ms = micros / 1000n;
  const sub = micros % 1000n;
  return new Date(Number(ms)).toISOString().replace("Z", `${sub.toString().padStart(3, "0")}Z`);
}

export function encodeCursor(cursor: Cursor, filter: ListFilter): string {
  return encodePageToken({ t: cursor.createTime, i: cursor.id, c: filter.categoryId, a: filter.includeArchived ? 1 : 0 });
}

/** The cursor in a token, or undefined for the first page. Anything not issued by us is InvalidArgument. */
export function decodeCursor(token: string, filter: ListFilter, field = "page_token"): Cursor | undefined {
  if (token.length > 1024) throw invalidArgument(field, "is not a token this service issued");
  const t = decodePageToken<Token>(token, field, { t: "string", i: "string", c: "string", a: "number" });
  if (!t) return undefined;
  const m = ISO_MICROS.exec(t.t);
  // The round trip through Date rejects impossible dates ("2024-02-30") before they could reach SQL.
  const valid = m !== null && !Number.isNaN(Date.parse(`${m[1]}Z`)) && new Date(`${m[1]}Z`).toISOString() === `${m[1]}Z`;
  if (!valid || !isUuid(t.i)) throw invalidArgument(field, "is not a token this service issued");
  if (t.c !== filter.categoryId || t.a !== (filter.includeArchived ? 1 : 0)) {
    throw invalidArgument(field, "was issued for a different category_id or include_archived");
  }
  return { createTime: t.t, id: t.i.toLowerCase() };
}
