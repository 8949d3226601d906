// grpc.health.v1 whose answer is the truth: each Check runs the service's real dependency checks
// (Postgres SELECT 1, Redis PING, NATS round trip). Results are cached briefly so probes cannot overload them.
import type { ConnectRouter } from "@connectrpc/connect";
import { Health, HealthCheckResponse_ServingStatus as Status } from "../../gen/grpc/health/v1/health_pb.js";
import { notFound } from "./errors.js";
import type { Logger } from "./log.js";
import { withTimeout } from "./nats.js";

export type DependencyChecks = Record<string, () => Promise<void>>;

export class HealthState {
  private draining = false;
  private cached?: { at: number; status: Status; failures: string[] };

  constructor(private readonly serviceName: string, private readonly checks: DependencyChecks, private readonly log: Logger) {}

  /** Called on SIGTERM: report NOT_SERVING so load balancers stop sending calls before we close. */
  markDraining(): void {
    this.draining = true;
  }

  async status(): Promise<{ status: Status; failures: string[] }> {
    if (this.draining) return { status: Status.NOT_SERVING, failures: ["shutting down"] };
    if (this.cached && Date.now() - this.cached.at < 1000) return this.cached;
    const names = Object.keys(this.checks);
    const results = await Promise.allSettled(names.map((n) => withTimeout(this.checks[n](), 2000, n)));
    const failures = names.flatMap((n, i) => {
      const r = results[i];
      return r.status === "rejected" ? [`${n}: ${r.reason?.message ?? r.reason}`] : [];
    });
    const status = failures.length ? Status.NOT_SERVING : Status.SERVING;
    if (failures.length && this.cached?.status !== Status.NOT_SERVING) this.log.warn({ failures }, "dependency check failed");
    this.cached = { at: Date.now(), status, failures };
    return this.cached;
  }

  register(router: ConnectRouter): void {
    const self = this;
    const known = (service: string) => service === "" || service === this.serviceName;
    router.service(Health, {
      check: async (req) => {
        if (!known(req.service)) throw notFound("service", req.service);
        return { status: (await this.status()).status };
      },
      list: async () => ({ statuses: { "": { status: (await this.status()).status } } }),
      watch: async function* (req, ctx) {
        if (!known(req.service)) {
          yield { status: Status.SERVICE_UNKNOWN };
          return;
        }
        let last: Status | undefined;
        while (!ctx.signal.aborted) {
          const { status } = await self.status();
          if (status !== last) yield { status };
          last = status;
          await new Promise((r) => setTimeout(r, 1000));
        }
      },
    });
  }
}
