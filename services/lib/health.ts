// grpc.health.v1 whose answer is the truth, in the two senses an orchestrator asks (docs/replicas.md "Health"):
//   "liveness"            the process works: answers while it runs (restart it only when this fails);
//   "readiness", "" and   it can serve its RPCs now: each Check runs the dependency checks its RPCs need
//   the service's name    (Postgres SELECT 1, Redis PING, Search's index loaded). Off while draining.
// Some dependencies are only reported: NATS down is never a reason to refuse calls, since every event goes
// through a transactional outbox that holds it until NATS is back, and consumers resume by themselves; a NATS
// failure is logged, and NATS's state is in List. Results are cached briefly so probes cannot overload them.
import type { ConnectRouter } from "@connectrpc/connect";
import { Health, HealthCheckResponse_ServingStatus as Status } from "../../gen/grpc/health/v1/health_pb.js";
import { notFound } from "./errors.js";
import type { Logger } from "./log.js";
import { withTimeout } from "./nats.js";

export type DependencyChecks = Record<string, () => Promise<void>>;

/** The health service names an orchestrator's probes use (deploy/k8s). */
export const HEALTH_SERVICES = { liveness: "liveness", readiness: "readiness" } as const;

interface Checked { at: number; status: Status; failures: string[]; reported: Record<string, Status> }

export class HealthState {
  private draining = false;
  private cached?: Checked;
  private checking?: Promise<Checked>;

  /**
   * @param required what readiness depends on: a failing one makes the service NOT_SERVING
   * @param reported what is checked and logged but never makes the service NOT_SERVING (NATS)
   */
  constructor(
    private readonly serviceName: string, private readonly required: DependencyChecks, private readonly log: Logger,
    private readonly reported: DependencyChecks = {},
  ) {}

  /** Called on SIGTERM: readiness says NOT_SERVING so load balancers stop sending calls before we close. */
  markDraining(): void {
    this.draining = true;
  }

  /** Readiness: SERVING when every required dependency answers, and not draining. */
  async status(): Promise<{ status: Status; failures: string[]; reported: Record<string, Status> }> {
    const checked = await this.check();
    if (this.draining) return { ...checked, status: Status.NOT_SERVING, failures: ["shutting down", ...checked.failures] };
    return checked;
  }

  private check(): Promise<Checked> {
    if (this.cached && Date.now() - this.cached.at < 1000) return Promise.resolve(this.cached);
    this.checking ??= this.runChecks().finally(() => { this.checking = undefined; });
    return this.checking;
  }

  private async runChecks(): Promise<Checked> {
    const run = async (checks: DependencyChecks) => {
      const names = Object.keys(checks);
      const results = await Promise.allSettled(names.map((n) => withTimeout(checks[n](), 2000, n)));
      return names.map((n, i) => {
        const r = results[i];
        return { name: n, failure: r.status === "rejected" ? `${n}: ${r.reason?.message ?? r.reason}` : undefined };
      });
    };
    const [required, reported] = await Promise.all([run(this.required), run(this.reported)]);
    const failures = required.flatMap((r) => (r.failure ? [r.failure] : []));
    const reportedFailures = reported.flatMap((r) => (r.failure ? [r.failure] : []));
    const previous = this.cached;
    const status = failures.length ? Status.NOT_SERVING : Status.SERVING;
    if (failures.length && previous?.status !== Status.NOT_SERVING) this.log.warn({ failures }, "dependency check failed: not ready");
    const reportedStatus = Object.fromEntries(reported.map((r) => [r.name, r.failure ? Status.NOT_SERVING : Status.SERVING]));
    if (reportedFailures.length && Object.values(previous?.reported ?? {}).every((s) => s === Status.SERVING)) {
      this.log.warn({ failures: reportedFailures }, "dependency check failed; still serving (events wait in the outbox)");
    }
    this.cached = { at: Date.now(), status, failures, reported: reportedStatus };
    return this.cached;
  }

  /** The status a Check of `service` answers, or undefined when the name is not one of ours. */
  private async statusOf(service: string): Promise<Status | undefined> {
    if (service === HEALTH_SERVICES.liveness) return Status.SERVING; // answering at all is the proof
    if (service === "" || service === HEALTH_SERVICES.readiness || service === this.serviceName) return (await this.status()).status;
    return undefined;
  }

  register(router: ConnectRouter): void {
    const self = this;
    router.service(Health, {
      check: async (req) => {
        const status = await this.statusOf(req.service);
        if (status === undefined) throw notFound("service", req.service);
        return { status };
      },
      list: async () => {
        const { status, reported } = await this.status();
        return {
          statuses: {
            "": { status }, [HEALTH_SERVICES.readiness]: { status }, [this.serviceName]: { status },
            [HEALTH_SERVICES.liveness]: { status: Status.SERVING },
            ...Object.fromEntries(Object.entries(reported).map(([name, s]) => [`dependency:${name}`, { status: s }])),
          },
        };
      },
      watch: async function* (req, ctx) {
        if ((await self.statusOf(req.service)) === undefined) {
          yield { status: Status.SERVICE_UNKNOWN };
          return;
        }
        let last: Status | undefined;
        while (!ctx.signal.aborted) {
          const status = (await self.statusOf(req.service))!;
          if (status !== last) yield { status };
          last = status;
          await new Promise((r) => setTimeout(r, 1000));
        }
      },
    });
  }
}
