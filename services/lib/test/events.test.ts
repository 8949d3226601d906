// The event catalog (events.ts) is the one declaration of every event: README's events table must say the same,
// the streams must cover every subject, and a subject written with another event's message must not compile.
import { readFileSync } from "node:fs";
import { create } from "@bufbuild/protobuf";
import { expect } from "chai";
import type { EntityManager } from "typeorm";
import { OrderCancelledSchema, OrderPlacedSchema } from "../../../gen/shop/order/v1/order_pb.js";
import { WarehouseOrderAssignedSchema } from "../../../gen/shop/assignment/v1/assignment_pb.js";
import { documentedSubject, EVENTS, STREAMS, type EventType } from "../events.js";
import { enqueueEvent, outboxRow } from "../outbox.js";

/** The first table under the first heading that names "Events", as rows keyed by lower-cased column header. */
export function eventsTable(markdown: string): Record<string, string>[] {
  const lines = markdown.split("\n");
  const heading = lines.findIndex((l) => /^#+ .*\bEvents\b/.test(l));
  if (heading < 0) throw new Error("README has no heading naming Events");
  const start = lines.findIndex((l, i) => i > heading && l.trim().startsWith("|"));
  const cells = (l: string) => l.trim().replace(/^\||\|$/g, "").split("|").map((c) => c.trim());
  const header = cells(lines[start]).map((h) => h.toLowerCase());
  const rows: Record<string, string>[] = [];
  for (let i = start + 2; i < lines.length && lines[i].trim().startsWith("|"); i++) {
    const values = cells(lines[i]);
    rows.push(Object.fromEntries(header.map((h, j) => [h, (values[j] ?? "").replace(/`/g, "")])));
  }
  return rows;
}

function column(row: Record<string, string>, name: string): string {
  const key = Object.keys(row).find((k) => k.includes(name));
  if (!key) throw new Error(`README's events table has no column naming "${name}"`);
  return row[key];
}

describe("event catalog", () => {
  const declared: EventType[] = Object.values(EVENTS);

  it("is what README's events table documents: subject, stream and message of every event, nothing else", () => {
    const documented = eventsTable(readFileSync(new URL("../../../README.md", import.meta.url), "utf8"))
      .map((r) => [column(r, "subject"), column(r, "stream"), column(r, "message")].join(" "));
    const catalog = declared.map((e) => [documentedSubject(e), e.stream, e.message.typeName].join(" "));
    expect([...documented].sort()).to.deep.equal([...catalog].sort());
  });

  it("puts every subject in exactly one stream", () => {
    for (const e of declared) {
      const owners = STREAMS.filter((s) => s.subjects.some((p) => e.subject.startsWith(p.slice(0, -1))));
      expect(owners.map((s) => s.name), e.subject).to.deep.equal([e.stream]);
    }
  });

  it("names each warehouse's subject from the family's pattern", () => {
    expect(EVENTS.warehouseOrderAssigned.at("MSP1").subject).to.equal("warehouse.MSP1.orders.assigned");
    expect(EVENTS.warehouseOrderAssigned.subject).to.equal("warehouse.*.orders.assigned");
    expect(outboxRow(EVENTS.warehouseOrderAssigned.at("MSP1"), create(WarehouseOrderAssignedSchema, { eventId: "e" })).messageType)
      .to.equal("shop.assignment.v1.WarehouseOrderAssigned");
  });

  it("does not compile a subject written with another event's message", () => {
    // Type-checked by `npm run typecheck` (never run): each line must be refused by the compiler.
    const typeChecks = (tx: EntityManager) => {
      // @ts-expect-error orders.placed carries OrderPlaced, not OrderCancelled
      void enqueueEvent(tx, EVENTS.ordersPlaced, create(OrderCancelledSchema, { eventId: "e" }));
      // @ts-expect-error a warehouse subject carries WarehouseOrderAssigned
      void outboxRow(EVENTS.warehouseOrderAssigned.at("MSP1"), create(OrderPlacedSchema, { eventId: "e" }));
      void enqueueEvent(tx, EVENTS.ordersPlaced, create(OrderPlacedSchema, { eventId: "e" }));
    };
    expect(typeChecks).to.be.a("function");
  });
});
