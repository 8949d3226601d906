// GRPC_REFLECTION: reflection is on unless turned off, and a value that is neither on nor off stops start-up.
import { expect } from "chai";
import { reflectionEnabled } from "../reflection.js";

describe("the GRPC_REFLECTION setting", () => {
  it("is on when unset, off only when set to false or 0, and refuses anything else", () => {
    expect(reflectionEnabled({})).to.equal(true);
    expect(reflectionEnabled({ GRPC_REFLECTION: "true" })).to.equal(true);
    expect(reflectionEnabled({ GRPC_REFLECTION: "1" })).to.equal(true);
    expect(reflectionEnabled({ GRPC_REFLECTION: "false" })).to.equal(false);
    expect(reflectionEnabled({ GRPC_REFLECTION: "0" })).to.equal(false);
    expect(() => reflectionEnabled({ GRPC_REFLECTION: "off" })).to.throw(/GRPC_REFLECTION must be true or false, got "off"/);
  });
});
