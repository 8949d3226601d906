import { defaultLog, findBinary, isRoot, run, secs, type Log } from "./process.js";

const PACKAGES = {
  redis: { bin: "redis-server", pkg: "redis-server" },
  nats: { bin: "nats-server", pkg: "nats-server" },
  // deploy/k8s/validate.ts unpacks the kubectl the npm registry ships in a zip.
  unzip: { bin: "unzip", pkg: "unzip" },
};
type Needed = Partial<Record<keyof typeof PACKAGES, boolean>>;

let installing: Promise<void> | undefined;

/**
 * Make sure the programs `needed` names are installed (Debian packages of the same names; `redis-server` and
 * `nats-server` by default).
 * When one is missing and we are root with apt-get: `apt-get update` + `apt-get install -y
 * --no-install-recommends <missing>`. Otherwise throws an Error naming the command to run.
 * startInfra skips servers whose URL was given.
 */
export async function ensureSystemPackages(
  log: Log = defaultLog,
  needed: Needed = { redis: true, nats: true },
): Promise<void> {
  const missing = (Object.keys(PACKAGES) as (keyof typeof PACKAGES)[])
    .filter((k) => needed[k] === true && !findBinary(PACKAGES[k].bin))
    .map((k) => PACKAGES[k].pkg);
  if (missing.length === 0) return;
  const aptGet = findBinary("apt-get");
  if (!isRoot() || !aptGet) {
    throw new Error(
      `${missing.join(" and ")} ${missing.length > 1 ? "are" : "is"} not installed (looked in PATH and /usr/sbin). ` +
        `Install ${missing.length > 1 ? "them" : "it"} with: sudo apt-get install ${missing.join(" ")}`,
    );
  }
  // serialise concurrent callers (two startInfra at once must not run two apt-gets)
  while (installing) await installing.catch(() => undefined);
  const stillMissing = missing.filter((pkg) => !findBinary(pkg));
  if (stillMissing.length === 0) return;
  installing = (async () => {
    for (const pkg of stillMissing) log(`installing ${pkg} (Debian package) ...`);
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    const t0 = performance.now();
    try {
      await run(aptGet, ["update"], env);
      await run(aptGet, ["install", "-y", "--no-install-recommends", ...stillMissing], env);
    } catch (err) {
      throw new Error(`${(err as Error).message}\nInstall manually with: sudo apt-get install ${stillMissing.join(" ")}`);
    }
    const notFound = stillMissing.filter((pkg) => !findBinary(pkg));
    if (notFound.length) {
      throw new Error(`apt-get installed ${stillMissing.join(" ")} but ${notFound.join(", ")} is still not in PATH or /usr/sbin`);
    }
    log(`installed ${stillMissing.join(" ")} in ${secs(t0)}`);
  })();
  try {
    await installing;
  } finally {
    installing = undefined;
  }
}
