// EVENTS_* settings (stream replicas and limits) and NATS_URL lists: parsed strictly, errors name the setting.
import { expect } from "chai";
import { natsServers, streamSettings } from "../nats.js";

describe("stream settings", () => {
  it("defaults to 7 days and 1 GiB per stream, replicas from the cluster", () => {
    expect(streamSettings({})).to.deep.equal({ replicas: undefined, maxAgeMs: 7 * 86_400_000, maxBytes: 1024 ** 3 });
  });

  it("reads durations and sizes with units", () => {
    const s = streamSettings({ EVENTS_MAX_AGE: "36h", EVENTS_MAX_BYTES: "512MiB", EVENTS_REPLICAS: "3" });
    expect(s).to.deep.equal({ replicas: 3, maxAgeMs: 36 * 3_600_000, maxBytes: 512 * 1024 ** 2 });
    expect(streamSettings({ EVENTS_MAX_AGE: "90", EVENTS_MAX_BYTES: "500MB" })).to.include({ maxAgeMs: 90_000, maxBytes: 500e6 });
    expect(streamSettings({ EVENTS_MAX_AGE: "1.5d", EVENTS_MAX_BYTES: "2gib" })).to.include({ maxAgeMs: 1.5 * 86_400_000, maxBytes: 2 * 1024 ** 3 });
  });

  it("refuses what it cannot read, naming the setting", () => {
    expect(() => streamSettings({ EVENTS_MAX_AGE: "a week" })).to.throw(/EVENTS_MAX_AGE/);
    expect(() => streamSettings({ EVENTS_MAX_AGE: "0s" })).to.throw(/EVENTS_MAX_AGE/);
    expect(() => streamSettings({ EVENTS_MAX_BYTES: "1TB!" })).to.throw(/EVENTS_MAX_BYTES/);
    expect(() => streamSettings({ EVENTS_REPLICAS: "0" })).to.throw(/EVENTS_REPLICAS/);
    expect(() => streamSettings({ EVENTS_REPLICAS: "two" })).to.throw(/EVENTS_REPLICAS/);
  });

  it("takes NATS_URL as one URL or a comma-separated list of a cluster's nodes", () => {
    expect(natsServers("nats://127.0.0.1:4222")).to.deep.equal(["nats://127.0.0.1:4222"]);
    expect(natsServers("nats://a:4222, nats://b:4222,,nats://c:4222 ")).to.deep.equal(["nats://a:4222", "nats://b:4222", "nats://c:4222"]);
  });
});
