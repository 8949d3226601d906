// Card numbers stay out of the mesh: the storefront's way to pay (card to the test provider's tokenization
// endpoint, SubmitOrder with the token) leaves no card number or CVC in any log line, database row (outbox
// included) or event of the shop, and with PAYMENT_ACCEPT_CARD_FIELDS=false SubmitOrder refuses card details.
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { Code } from "@connectrpc/connect";
import { connect } from "nats";
import pg from "pg";
import { CartService } from "../gen/shop/cart/v1/cart_pb.js";
import { OrderService } from "../gen/shop/order/v1/order_pb.js";
import { STREAMS } from "../services/lib/events.js";
import { failure, testInfra } from "./harness.js";
import { startShop, TEST_ADDRESS, TEST_CARD, type Shop } from "./shop-fixture.js";

/** A Luhn-valid card the test provider approves, and a CVC no id or timestamp of the run will contain by chance. */
const CARD = { ...TEST_CARD, number: "4111111111111111", cvc: "9731" };
const CVC_ALONE = /(?<![0-9a-f-])9731(?![0-9a-f-])/i;

describe("card data stays out of the mesh", function () {
  this.timeout(180_000);
  let shop: Shop;
  const logFile = join(mkdtempSync(join(tmpdir(), "shop-card-logs-")), "mesh.log");
  const streamStart = new Map<string, number>();

  before(async () => {
    // Every process of the shop (in this test process) logs everything it can into one file.
    process.env.LOG_FILE = logFile;
    try {
      shop = await startShop({ env: { LOG_LEVEL: "trace", PAYMENT_ACCEPT_CARD_FIELDS: "false" } });
    } finally {
      delete process.env.LOG_FILE;
    }
  });
  after(async () => {
    await shop?.stop();
  });

  /** Every event published to the suite's streams since `streamStart`, as text. */
  async function eventsSinceStart(): Promise<string[]> {
    const nc = await connect({ servers: testInfra().natsUrl });
    try {
      const jsm = await nc.jetstreamManager();
      const texts: string[] = [];
      for (const { name } of STREAMS) {
        const { state } = await jsm.streams.info(name);
        for (let seq = Math.max(streamStart.get(name)! + 1, state.first_seq); seq <= state.last_seq; seq++) {
          const m = await jsm.streams.getMessage(name, { seq }).catch(() => undefined); // a deleted message has none
          if (m) texts.push(`${m.subject} ${Buffer.from(m.data).toString("latin1")} ${m.header ? JSON.stringify([...m.header.keys()].map((k) => m.header!.values(k))) : ""}`);
        }
      }
      return texts;
    } finally {
      await nc.close();
    }
  }

  /**
   * Every row of every table of the shop's database (all services' schemas, outboxes included), as text; binary
   * columns (event payloads) as their raw bytes, where a protobuf string field appears as it is.
   */
  async function allRows(): Promise<string[]> {
    const db = new pg.Client({ connectionString: shop.services.order.ctx.config.databaseUrl });
    await db.connect();
    try {
      const tables = await db.query(`SELECT table_schema AS s, table_name AS t FROM information_schema.tables
        WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')`);
      const texts: string[] = [];
      for (const { s, t } of tables.rows) {
        const found = await db.query(`SELECT * FROM "${s}"."${t}"`);
        texts.push(...found.rows.map((r) => `${s}.${t} ${Object.values(r).map((v) => (Buffer.isBuffer(v) ? v.toString("latin1") : JSON.stringify(v))).join(" ")}`));
      }
      return texts;
    } finally {
      await db.end();
    }
  }

  it("places an order paid with a token and leaves no card number or CVC in logs, rows or events", async () => {
    const nc = await connect({ servers: testInfra().natsUrl });
    const jsm = await nc.jetstreamManager();
    for (const { name } of STREAMS) streamStart.set(name, (await jsm.streams.info(name)).state.last_seq);
    await nc.close();

    const item = await shop.newItem({ name: "Card-safe lamp", priceCents: 4100, stock: [[0, 5]] });
    const customer = await shop.newCustomer("Cora");
    const placed = await shop.placeOrder(customer, [[item.id, 1]], CARD);
    expect(placed.payment?.cardLast4).to.equal("1111");
    await shop.assigned(placed.id);

    const logs = readFileSync(logFile, "utf8").split("\n").filter(Boolean);
    const rows = await allRows();
    const events = await eventsSinceStart();
    // The searches can find what is there: the order's own rows, events and log lines.
    expect(logs.some((l) => l.includes(placed.id)), "log lines of the order").to.equal(true);
    expect(rows.some((r) => r.includes(placed.id) && r.includes("1111")), "payment rows of the order").to.equal(true);
    expect(events.some((e) => e.includes(placed.id)), "events of the order").to.equal(true);
    expect(rows.some((r) => r.startsWith("order.outbox ") && r.includes(placed.id)), "outbox row of the order").to.equal(true);

    for (const [where, texts] of [["log", logs], ["row", rows], ["event", events]] as const) {
      for (const text of texts) {
        expect(text, `a ${where} holds the card number`).to.not.include(CARD.number);
        expect(text, `a ${where} holds the grouped card number`).to.not.include("4111 1111 1111 1111");
        expect(CVC_ALONE.test(text), `a ${where} holds the CVC: ${text.slice(0, 300)}`).to.equal(false);
      }
    }
  });

  /** A new customer with one unit of a new item in a begun checkout, and SubmitOrder for it with `payment`. */
  async function checkoutToPay(name: string) {
    const item = await shop.newItem({ name: `${name} lamp`, priceCents: 1000, stock: [[0, 4]] });
    const customer = await shop.newCustomer(name);
    const orders = shop.client(OrderService, customer.token);
    const begin = async () => {
      await shop.client(CartService, customer.token).updateCartItemQuantity({ itemId: item.id, quantity: 1 });
      return (await orders.beginCheckout({})).checkout!.id;
    };
    let checkoutId = await begin();
    return {
      submit: (payment: { card: typeof CARD } | { paymentToken: string }) =>
        orders.submitOrder({ checkoutId, idempotencyKey: randomUUID(), ...payment, shippingAddress: TEST_ADDRESS }),
      /** A new checkout of the same cart line, once the last one was ordered. */
      async again() {
        checkoutId = await begin();
      },
    };
  }

  it("refuses card fields in SubmitOrder when PAYMENT_ACCEPT_CARD_FIELDS=false, naming the field", async () => {
    const pay = await checkoutToPay("Olga");
    const err = await failure(pay.submit({ card: CARD }));
    expect(err.code).to.equal(Code.InvalidArgument);
    expect(err.rawMessage).to.match(/^card: /);
    // The same checkout pays with a token.
    const { order } = await pay.submit({ paymentToken: await shop.tokenize(CARD) });
    expect(order?.payment?.cardLast4).to.equal("1111");
  });

  it("takes a payment token once: a second submission with it is refused with InvalidArgument", async () => {
    const pay = await checkoutToPay("Una");
    const token = await shop.tokenize(CARD);
    await pay.submit({ paymentToken: token });
    await pay.again();
    const again = await failure(pay.submit({ paymentToken: token }));
    expect(again.code).to.equal(Code.InvalidArgument);
    expect(again.rawMessage).to.match(/^payment_token: /);
    const made = await failure(pay.submit({ paymentToken: "tok_test_made-up-by-the-client-0123456789" }));
    expect(made.code).to.equal(Code.InvalidArgument);
  });

  it("declines a token of the decline test card, and the tokenization endpoint names a bad field", async () => {
    const pay = await checkoutToPay("Dee");
    const declined = await failure(pay.submit({ paymentToken: await shop.tokenize({ ...CARD, number: "4000000000000002" }) }));
    expect(declined.code).to.equal(Code.FailedPrecondition);
    expect(declined.rawMessage).to.contain("declined");

    const bad = await fetch(`${shop.url}/test-payments/v1/tokens`, {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ ...CARD, number: "4111111111111112" }),
    });
    expect(bad.status).to.equal(400);
    expect(await bad.json()).to.deep.include({ code: "invalid_argument", field: "card.number" })
      .and.to.satisfy((b: { message: string }) => b.message.startsWith("card.number:"));
  });
});
