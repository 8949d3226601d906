// Idempotency keys for writes a caller may repeat after a timeout (a warehouse system receiving stock): the first
// answer is kept under (operation, scope, key), a retry with the same key gets it back and changes nothing, and
// the same key with other content is refused naming the field that differs. Only successful answers are kept: a
// refused write changed nothing, so repeating it simply tries again.
import { fromBinary, toBinary, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import type { DataSource, MigrationInterface } from "typeorm";
import { sqlMigration } from "./db.js";
import { invalidArgument } from "./errors.js";
import { one, type Db } from "./sql.js";

/** A caller's key, taken exactly as sent (no trimming): an opaque token that must match byte for byte on a retry. */
export function idempotencyKey(value: string, field = "idempotency_key"): string {
  if (value === "") throw invalidArgument(field, "is required");
  const length = [...value].length;
  if (length < 8 || length > 128) throw invalidArgument(field, "must be 8-128 characters");
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\s]/.test(value)) throw invalidArgument(field, "must not contain spaces or control characters");
  return value;
}

/** An optional key: "" means the caller asked for no idempotency. */
export function optionalIdempotencyKey(value: string, field = "idempotency_key"): string | undefined {
  return value === "" ? undefined : idempotencyKey(value, field);
}

/** Migration adding the table of kept answers to a service's schema. */
export function idempotentRequestsTable(schema: string): new () => MigrationInterface {
  return sqlMigration("IdempotentRequests1769200000000",
    `CREATE TABLE IF NOT EXISTS "${schema}".idempotent_requests (
      operation text NOT NULL,
      scope text NOT NULL,
      key text NOT NULL,
      request jsonb NOT NULL,
      response bytea,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (operation, scope, key)
    )`,
    `DROP TABLE IF EXISTS "${schema}".idempotent_requests`);
}

/** One keyed call: `scope` is what the key is unique within (a warehouse), `request` its content by proto field name. */
export interface KeyedCall {
  schema: string;
  operation: string;
  scope: string;
  key: string;
  request: Record<string, string | number | boolean>;
}

/**
 * Runs `work` in the caller's transaction once per key. The key is claimed first, so concurrent calls with the
 * same key wait for the first to commit and then answer its result; if the first fails, the next one runs.
 */
export async function onceInTransaction<D extends DescMessage>(
  tx: Db, call: KeyedCall | undefined, response: D, work: () => Promise<MessageShape<D>>,
): Promise<MessageShape<D>> {
  if (!call) return work();
  const claimed = await one(tx,
    `INSERT INTO "${call.schema}".idempotent_requests (operation, scope, key, request) VALUES ($1, $2, $3, $4)
     ON CONFLICT DO NOTHING RETURNING 1`,
    [call.operation, call.scope, call.key, call.request]);
  if (!claimed) return keptAnswer(tx, call, response);
  const answer = await work();
  await tx.query(`UPDATE "${call.schema}".idempotent_requests SET response = $4 WHERE operation = $1 AND scope = $2 AND key = $3`,
    [call.operation, call.scope, call.key, Buffer.from(toBinary(response, answer))]);
  return answer;
}

/**
 * For a write spanning several transactions that is itself safe to repeat with the same content (a state
 * machine where repeating the current state is a no-op): a kept answer is returned without running `work`;
 * otherwise `work` runs and the first answer kept wins.
 */
export async function answerOnce<D extends DescMessage>(
  ds: DataSource, call: KeyedCall | undefined, response: D, work: () => Promise<MessageShape<D>>,
): Promise<MessageShape<D>> {
  if (!call) return work();
  const kept = await keptRow(ds, call);
  if (kept) return decode(kept, call, response);
  const answer = await work();
  const stored = await one(ds,
    `INSERT INTO "${call.schema}".idempotent_requests (operation, scope, key, request, response) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT DO NOTHING RETURNING 1`,
    [call.operation, call.scope, call.key, call.request, Buffer.from(toBinary(response, answer))]);
  return stored ? answer : keptAnswer(ds, call, response);
}

type KeptRow = { request: Record<string, unknown>; response: Buffer | null };

function keptRow(db: Db, call: KeyedCall): Promise<KeptRow | undefined> {
  return one<KeptRow>(db,
    `SELECT request, response FROM "${call.schema}".idempotent_requests WHERE operation = $1 AND scope = $2 AND key = $3`,
    [call.operation, call.scope, call.key]);
}

async function keptAnswer<D extends DescMessage>(db: Db, call: KeyedCall, response: D): Promise<MessageShape<D>> {
  const kept = await keptRow(db, call);
  if (!kept) throw new Error(`idempotent request ${call.operation}/${call.key} vanished`); // rows are never deleted
  return decode(kept, call, response);
}

function decode<D extends DescMessage>(kept: KeptRow, call: KeyedCall, response: D): MessageShape<D> {
  for (const [field, value] of Object.entries(call.request)) {
    if (kept.request[field] !== value) {
      throw invalidArgument(field,
        `idempotency_key ${JSON.stringify(call.key)} was first used with ${field} ${JSON.stringify(kept.request[field])}, not ${JSON.stringify(value)}; a retry must repeat the first request, a new write needs a new key`);
    }
  }
  if (!kept.response) throw new Error(`idempotent request ${call.operation}/${call.key} has no kept answer`);
  return fromBinary(response, kept.response);
}
