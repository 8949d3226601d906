// How the cart reports its dependencies' failures (fake clients: this is about the translation only).
import { Code, ConnectError, type Client } from "@connectrpc/connect";
import { expect } from "chai";
import { pino } from "pino";
import type { CatalogService } from "../../../gen/shop/catalog/v1/catalog_pb.js";
import type { InventoryService } from "../../../gen/shop/inventory/v1/inventory_pb.js";
import { meshUpstream } from "../src/upstream.js";
import { failure } from "../../../test/harness.js";

const ID = "0b6f8c1e-1111-4a5b-8c9d-000000000001";

function failingWith(code: Code) {
  const fail = async () => { throw new ConnectError("boom", code); };
  const catalog = { getItem: fail, batchGetItems: fail } as unknown as Client<typeof CatalogService>;
  const inventory = { getAvailability: fail, batchGetAvailability: fail } as unknown as Client<typeof InventoryService>;
  return meshUpstream(catalog, inventory, pino({ level: "silent" }), 1000);
}

describe("cart upstream errors", () => {
  it("reports an item the catalog does not know as NotFound naming it", async () => {
    const err = await failure(failingWith(Code.NotFound).getItem(ID));
    expect(err.code).to.equal(Code.NotFound);
    expect(err.rawMessage).to.contain(ID);
  });

  for (const code of [Code.Unavailable, Code.DeadlineExceeded, Code.Internal, Code.Unknown, Code.Unimplemented, Code.ResourceExhausted]) {
    it(`answers Unavailable when a dependency fails with ${Code[code]}`, async () => {
      const up = failingWith(code);
      for (const call of [up.getItem(ID), up.batchGetItems([ID]), up.stockLeft(ID), up.batchStockLeft([ID])]) {
        expect((await failure(call)).code).to.equal(Code.Unavailable);
      }
    });
  }

  it("treats a dependency refusing the cart's own request as a bug (Internal), not an outage", async () => {
    expect((await failure(failingWith(Code.InvalidArgument).batchGetItems([ID]))).code).to.equal(Code.Internal);
  });

  it("passes a cancellation through as Canceled", async () => {
    expect((await failure(failingWith(Code.Canceled).stockLeft(ID))).code).to.equal(Code.Canceled);
  });

  it("asks nothing for an empty list", async () => {
    const up = failingWith(Code.Unavailable);
    expect((await up.batchGetItems([])).size).to.equal(0);
    expect((await up.batchStockLeft([])).size).to.equal(0);
  });
});
