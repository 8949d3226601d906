// The dashboard and the alert rules are only useful if their queries name metrics the processes really serve:
// a renamed metric would leave a panel empty and an alert silent, with nothing to say so. This reads both files,
// parses every PromQL expression (lezer-promql, the parser of Prometheus's own UI) and checks each metric it
// selects, and each label it matches on, against a live scrape of the whole mesh started here (one process:
// every service's and the gateway's metrics in one registry) after an order went through it.
import { readFileSync } from "node:fs";
import { parser } from "@prometheus-io/lezer-promql";
import { expect } from "chai";
import { parse as parseYaml } from "yaml";
import { parsePrometheusText } from "../../test/prometheus-text.js";
import { startShop, type Shop } from "../../test/shop-fixture.js";

const dir = new URL(".", import.meta.url);
const RULES = new URL("alerts.yaml", dir);
const DASHBOARD = new URL("grafana-dashboard.json", dir);

/** What a scrape serves: every sample name a family can have, and the labels seen on each. */
interface Served {
  names: Set<string>;
  labels: Map<string, Set<string>>;
}

function servedBy(text: string): Served {
  const { types, samples } = parsePrometheusText(text);
  const names = new Set<string>();
  for (const [family, type] of types) {
    names.add(family);
    if (type === "histogram") ["_bucket", "_sum", "_count"].forEach((s) => names.add(family + s));
    if (type === "summary") ["_sum", "_count"].forEach((s) => names.add(family + s));
  }
  const labels = new Map<string, Set<string>>();
  for (const s of samples) {
    const seen = labels.get(s.name) ?? new Set<string>();
    Object.keys(s.labels).forEach((l) => seen.add(l));
    labels.set(s.name, seen);
  }
  return { names, labels };
}

/**
 * What is wrong with one PromQL expression: a syntax error, a selected metric nobody serves, or a label matcher
 * on a label that metric's samples do not carry. Grafana's variables are replaced by values first.
 */
function problemsOf(expr: string, served: Served): string[] {
  const promql = expr.replaceAll("$__rate_interval", "5m").replace(/\$\{?(\w+)\}?/g, ".*");
  const problems: string[] = [];
  const text = (n: { from: number; to: number }) => promql.slice(n.from, n.to);
  parser.parse(promql).iterate({
    enter: (node) => {
      if (node.type.isError) problems.push(`syntax error at ${node.from}: ${JSON.stringify(promql.slice(node.from, node.from + 20))}`);
      if (node.name !== "VectorSelector") return;
      const name = node.node.getChild("Identifier");
      const metric = name ? text(name) : "";
      if (!served.names.has(metric)) {
        problems.push(name ? `no process serves ${metric}` : `a selector without a metric name: ${text(node)}`);
        return;
      }
      const seen = served.labels.get(metric);
      for (const matcher of node.node.getChild("LabelMatchers")?.getChildren("UnquotedLabelMatcher") ?? []) {
        const label = text(matcher.getChild("LabelName")!);
        if (seen && !seen.has(label)) problems.push(`${metric} has no label ${label}`);
      }
    },
  });
  return problems;
}

/** label_values(metric, label) of a Grafana query variable, as PromQL for problemsOf. */
function labelValuesQuery(query: string): string {
  const m = /^label_values\((\w+),\s*(\w+)\)$/.exec(query);
  expect(m, `variable query ${query}`).to.not.equal(null);
  return `${m![1]}{${m![2]}=~".*"}`;
}

describe("dashboards and alerts as code (deploy/observability)", function () {
  this.timeout(180_000);
  let shop: Shop;
  let served: Served;

  before(async () => {
    shop = await startShop();
    // An order through the mesh gives the labelled families samples, so their labels can be checked too.
    const customer = await shop.newCustomer();
    const item = await shop.newItem({ name: "Dashboard lamp", priceCents: 1900, stock: [[0, 3]] });
    const placed = await shop.placeOrder(customer, [[item.id, 1]]);
    await shop.assigned(placed.id);
    served = servedBy(await (await fetch(shop.gateway.metricsUrl!)).text());
  });
  after(async () => {
    await shop?.stop();
  });

  it("finds what is wrong in an expression (the checker itself)", () => {
    expect(problemsOf("sum(rate(orders_placed_total[5m]))", served)).to.deep.equal([]);
    expect(problemsOf("sum(rate(orders_shipped_total[5m]))", served)).to.deep.equal(["no process serves orders_shipped_total"]);
    expect(problemsOf(`rate(events_consumed_total{subject="x"}[5m])`, served)).to.deep.equal(["events_consumed_total has no label subject"]);
    expect(problemsOf("sum(rate(orders_placed_total[5m])", served)).to.not.deep.equal([]);
  });

  it("the alert rules have the Prometheus rule-group shape, and every expression reads served metrics", () => {
    const doc = parseYaml(readFileSync(RULES, "utf8")) as { groups: unknown };
    expect(doc.groups).to.be.an("array").that.is.not.empty;
    const groups = doc.groups as Record<string, unknown>[];
    expect(new Set(groups.map((g) => g.name)).size, "unique group names").to.equal(groups.length);
    const alerts: string[] = [];
    for (const group of groups) {
      expect(Object.keys(group), `group ${group.name}`).to.have.members(["name", "rules"]);
      expect(group.name).to.be.a("string");
      for (const rule of group.rules as Record<string, unknown>[]) {
        const name = String(rule.alert ?? rule.record);
        expect(Object.keys(rule).every((k) => ["alert", "record", "expr", "for", "keep_firing_for", "labels", "annotations"].includes(k)), name).to.equal(true);
        expect(typeof rule.alert === "string" || typeof rule.record === "string", `${name}: alert or record`).to.equal(true);
        expect(rule.expr, `${name}: expr`).to.be.a("string");
        if (rule.for !== undefined) expect(rule.for, `${name}: for`).to.match(/^(\d+(ms|s|m|h|d|w|y))+$/);
        for (const map of [rule.labels, rule.annotations]) {
          if (map !== undefined) expect(Object.values(map as object).every((v) => typeof v === "string"), `${name}: string values`).to.equal(true);
        }
        expect(problemsOf(rule.expr as string, served), name).to.deep.equal([]);
        if (rule.alert) alerts.push(rule.alert as string);
      }
    }
    expect(new Set(alerts).size, "unique alert names").to.equal(alerts.length);
    expect(alerts).to.include.members([
      "ShopMeshRpcErrorRatioHigh", "ShopMeshRpcLatencyP99High", "ShopMeshOutboxStuck", "ShopMeshConsumerLagging", "ShopMeshStockAuditViolation",
    ]);
  });

  it("the Grafana dashboard parses, and every query reads served metrics", () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, "utf8"));
    expect(dashboard.uid).to.equal("shop-mesh");
    const panels: { title: string; type: string; targets?: { expr: string }[] }[] = dashboard.panels;
    const queries = panels.filter((p) => p.type !== "row").flatMap((p) => {
      expect(p.targets, p.title).to.be.an("array").that.is.not.empty;
      return p.targets!.map((t) => ({ where: p.title, expr: t.expr }));
    });
    for (const v of dashboard.templating.list.filter((v: { type: string }) => v.type === "query")) {
      queries.push({ where: `variable ${v.name}`, expr: labelValuesQuery(v.definition) });
    }
    for (const q of queries) expect(problemsOf(q.expr, served), `${q.where}: ${q.expr}`).to.deep.equal([]);
    // The rows the dashboard promises.
    expect(panels.filter((p) => p.type === "row").map((p) => p.title)).to.include.members([
      "RED per service (server side)", "Events", "Checkout funnel", "Stock audit",
    ]);
  });
});
