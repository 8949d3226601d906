// SQL for schema `cart`. Every change of a line is one statement on that line (never a read-modify-write of
// the whole cart), so concurrent changes of different lines all survive. Each change first touches the
// user's cart row: that row lock orders one user's writers, which keeps the line-count cap exact.
import type { DataSource, EntityManager } from "typeorm";
import { inTransaction } from "../../../lib/db.js";
import type { StoredCart, StoredLine } from "../domain/cart.js";
import { VIEW_COLUMNS, viewRowOf, type RawViewRow, type ViewRow } from "./item-view.js";

export type SetLineResult = "saved" | "cart-full";

export class CartStore {
  constructor(private readonly ds: DataSource, readonly maxLines: number) {}

  async load(userId: string): Promise<StoredCart> {
    return (await this.read(userId, false)).stored;
  }

  /** The cart and what the price-and-stock view holds of its items, in one statement. */
  async loadWithView(userId: string): Promise<{ stored: StoredCart; view: Map<string, ViewRow> }> {
    return this.read(userId, true);
  }

  private async read(userId: string, withView: boolean): Promise<{ stored: StoredCart; view: Map<string, ViewRow> }> {
    const rows: ({ update_time: Date; line_item_id: string | null; quantity: number | null; price_when_added_minor: string | null; currency_added: string | null; added_at: Date | null } & Partial<RawViewRow>)[] =
      await this.ds.query(
        `SELECT c.update_time, l.item_id AS line_item_id, l.quantity, l.price_when_added_minor, l.currency AS currency_added, l.added_at
                ${withView ? `, ${VIEW_COLUMNS}` : ""}
           FROM cart.carts c LEFT JOIN cart.cart_lines l ON l.user_id = c.user_id
                ${withView ? "LEFT JOIN cart.item_view v ON v.item_id = l.item_id" : ""}
          WHERE c.user_id = $1
          ORDER BY l.added_at, l.item_id`,
        [userId],
      );
    const view = new Map<string, ViewRow>();
    if (rows.length === 0) return { stored: { lines: [] }, view };
    const lines: StoredLine[] = rows.filter((r) => r.line_item_id !== null).map((r) => {
      if (withView && r.item_id) view.set(r.item_id, viewRowOf(r as RawViewRow));
      return {
        itemId: r.line_item_id!,
        quantity: r.quantity!,
        priceWhenAddedMinor: BigInt(r.price_when_added_minor!),
        currency: r.currency_added!,
        addedAt: r.added_at!,
      };
    });
    return { stored: { updateTime: rows[0].update_time, lines }, view };
  }

  /**
   * Sets a line's quantity, adding it (at `priceMinor`, kept as price_when_added) when new. A new line is
   * refused when the cart already holds maxLines items.
   */
  async setLine(userId: string, itemId: string, quantity: number, priceMinor: bigint, currency: string): Promise<SetLineResult> {
    // cart.set_line (migration CartSetLine): the cart row's lock, then the line, in one round trip.
    const [{ saved }]: { saved: boolean }[] = await this.ds.query(
      `SELECT cart.set_line($1, $2, $3, $4, $5, $6) AS saved`,
      [userId, itemId, quantity, priceMinor.toString(), currency, this.maxLines],
    );
    return saved ? "saved" : "cart-full";
  }

  /** Removes one line; removing a line that is not there changes nothing. */
  async removeLine(userId: string, itemId: string): Promise<void> {
    await this.clear(userId, [itemId]);
  }

  /**
   * Removes the lines of placed orders (orders.placed), once per order id: a line of an item the order did not
   * buy stays, and so does one added or changed after the order was placed (the shopper put the item back in the
   * cart before the event arrived). Takes no cart row lock: removing lines cannot break the line cap, and
   * locking only lines keeps it from waiting on a shopper's write while holding what that write waits for.
   */
  static async removeBought(tx: EntityManager, orders: { orderId: string; userId: string; itemIds: string[]; placedAt: Date }[]): Promise<void> {
    const bought = orders.flatMap((o) => o.itemIds.map((itemId) => ({ ...o, itemId })));
    if (bought.length === 0) return;
    await tx.query(
      `WITH bought AS (SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::timestamptz[]) AS b (order_id, user_id, item_id, placed_at)),
            fresh AS (INSERT INTO cart.placed_orders (order_id) SELECT DISTINCT order_id FROM bought
                      ON CONFLICT DO NOTHING RETURNING order_id)
       DELETE FROM cart.cart_lines l USING bought b
        WHERE b.order_id IN (SELECT order_id FROM fresh) AND l.user_id = b.user_id AND l.item_id = b.item_id
          AND l.updated_at <= b.placed_at`,
      [bought.map((b) => b.orderId), bought.map((b) => b.userId), bought.map((b) => b.itemId), bought.map((b) => b.placedAt.toISOString())],
    );
  }

  /** Removes the given lines, or every line when `itemIds` is empty. Idempotent. */
  async clear(userId: string, itemIds: string[] = []): Promise<void> {
    await inTransaction(this.ds, async (tx) => {
      if (!(await lockCart(tx, userId))) return;
      if (itemIds.length === 0) {
        await tx.query(`DELETE FROM cart.cart_lines WHERE user_id = $1`, [userId]);
      } else {
        await tx.query(`DELETE FROM cart.cart_lines WHERE user_id = $1 AND item_id = ANY($2::uuid[])`, [userId, itemIds]);
      }
    });
  }
}

/**
 * Locks the user's cart row and stamps its update time; returns whether the cart exists. Always the first
 * statement of a write, so one user's writers queue here and never deadlock (cart.set_line starts the same way).
 */
async function lockCart(tx: EntityManager, userId: string): Promise<boolean> {
  // Wrapped in a SELECT because TypeORM answers a bare UPDATE with [rows, count] instead of rows.
  const rows: unknown[] = await tx.query(
    `WITH touched AS (UPDATE cart.carts SET update_time = clock_timestamp() WHERE user_id = $1 RETURNING user_id)
     SELECT user_id FROM touched`,
    [userId],
  );
  return rows.length > 0;
}
