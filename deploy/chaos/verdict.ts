// What bench:chaos judges a run by: every placed order announced to its warehouses (a JetStream ordered consumer
// on warehouse.> for the whole run, which resumes where it was after losing its node or going quiet while
// messages wait) and visible through GetOrder; no checkout charged twice, no warehouse order announced twice;
// the stock audit clean.
import { fromBinary } from "@bufbuild/protobuf";
import { DeliverPolicy, type ConsumerMessages, type JetStreamClient } from "nats";
import pg from "pg";
import { WarehouseOrderAssignedSchema } from "../../gen/shop/assignment/v1/assignment_pb.js";
import { STALL_MS } from "../../services/lib/consumers.js";

/** The warehouse systems' view: which orders were announced, and by how many distinct events each. */
export class WarehouseListener {
  /** `${orderId} ${warehouseCode}` -> distinct event ids announcing that warehouse order */
  readonly assigned = new Map<string, Set<string>>();
  readonly announcedOrders = new Set<string>();
  private lastSeq = 0;
  private stopped = false;
  private messages?: ConsumerMessages;
  private loop?: Promise<void>;

  constructor(private readonly js: JetStreamClient, private readonly log: (m: string) => void) {}

  start(): void {
    this.loop = (async () => {
      while (!this.stopped) {
        let watchdog: NodeJS.Timeout | undefined;
        try {
          const consumer = await this.js.consumers.get("WAREHOUSE", {
            filterSubjects: "warehouse.*.orders.assigned",
            ...(this.lastSeq ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: this.lastSeq + 1 } : {}),
          });
          const messages = await consumer.consume();
          this.messages = messages;
          // The same quiet-pull check as the mesh's consumers (consumeUntilStopped): messages wait, none arrive.
          let last = Date.now();
          watchdog = setInterval(() => {
            if (Date.now() - last < STALL_MS) return;
            last = Date.now();
            consumer.info().then((info) => {
              if (info.num_pending === 0) return;
              this.log(`warehouse listener received nothing while ${info.num_pending} messages wait; resuming after stream seq ${this.lastSeq}`);
              messages.stop();
            }, () => messages.stop());
          }, STALL_MS / 2);
          for await (const m of this.messages) {
            last = Date.now();
            this.lastSeq = m.seq;
            const wo = fromBinary(WarehouseOrderAssignedSchema, m.data).warehouseOrder;
            if (!wo) continue;
            const key = `${wo.orderId} ${wo.warehouseCode}`;
            const ids = this.assigned.get(key) ?? new Set<string>();
            ids.add(m.headers?.get("Nats-Msg-Id") || `seq:${m.seq}`);
            this.assigned.set(key, ids);
            this.announcedOrders.add(wo.orderId);
          }
        } catch (err) {
          if (!this.stopped) this.log(`warehouse listener interrupted (${(err as Error).message}); resuming after stream seq ${this.lastSeq}`);
        } finally {
          clearInterval(watchdog);
        }
        if (!this.stopped) await new Promise((r) => setTimeout(r, 500));
      }
    })();
  }

  /** Warehouse orders announced by more than one distinct event (the order was assigned twice). */
  assignedTwice(): number {
    return [...this.assigned.values()].filter((ids) => ids.size > 1).length;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.messages?.stop();
    await Promise.race([this.loop, new Promise((r) => setTimeout(r, 2000))]);
  }
}

/**
 * Checkouts with more than one captured charge, read from Order's own records (its submissions and the payment
 * provider's ledger, keyed by submission): a retried or recovered submission must never charge again.
 */
export async function checkoutsChargedTwice(databaseUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT count(*)::int AS n FROM (
         SELECT s.checkout_id FROM "order".submissions s
         JOIN "order".payment_charges c ON c.idempotency_key = s.id::text AND c.status = 'CAPTURED'
         GROUP BY s.checkout_id HAVING count(*) > 1) twice`,
    );
    return rows[0].n;
  } finally {
    await client.end();
  }
}
