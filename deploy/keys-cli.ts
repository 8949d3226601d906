// Token key files from the command line (services/lib/keys.ts). Prints paths and key ids, never keys.
//   npm run keys:generate [-- --dir DIR]   creates the three key files in DIR (default DATA_DIR/keys) unless present
//   npm run keys:rotate [-- --retire]      a new key signs from now on; the previous signer still verifies, so
//                                          nobody is signed out; --retire drops the keys older than that one
// keys:rotate works on DATA_DIR/keys (what `npm start` generated) or on the files AUTH_SIGNING_KEYS_FILE,
// AUTH_JWKS_FILE and AUTH_SERVICE_KEYS_FILE name. Running processes re-read the files within seconds.
import path from "node:path";
import { cliFlags } from "../services/lib/cli.js";
import { ensureKeyFiles, keyFilesIn, rotateKeyFiles, type KeyFiles } from "../services/lib/keys.js";

const env = process.env;
const [command, ...argv] = process.argv.slice(2);
const defaultDir = path.resolve(env.DATA_DIR ?? ".data", "keys");

function generate(): void {
  const { dir } = cliFlags({
    usage: "npm run keys:generate --",
    summary: "Creates the token key files (user signing keys, their public JWK set, the mesh key) in a directory made "
      + "owner-only, or keeps the ones found there. Prints the settings to give each process; never a key.",
    flags: { dir: { type: "string", default: defaultDir, help: "where to keep the key files" } },
  }, argv);
  const files = ensureKeyFiles(path.resolve(dir));
  console.log(`${files.generated ? "generated" : "kept the existing"} key files (directory 0700, files 0600):`);
  console.log(`  AUTH_SIGNING_KEYS_FILE=${files.signingKeysFile}   (the gateway only)`);
  console.log(`  AUTH_JWKS_FILE=${files.jwksFile}   (the gateway and every service)`);
  console.log(`  AUTH_SERVICE_KEYS_FILE=${files.serviceKeysFile}   (every service, not the gateway)`);
}

function rotate(): void {
  const { retire } = cliFlags({
    usage: "npm run keys:rotate --",
    summary: "Adds a new signing key to the user keys and the mesh keys and keeps the previous signer for verification, "
      + "so nobody is signed out; running processes pick the change up within seconds. Works on DATA_DIR/keys or the "
      + "files AUTH_SIGNING_KEYS_FILE, AUTH_JWKS_FILE and AUTH_SERVICE_KEYS_FILE name.",
    flags: { retire: { type: "boolean", help: "also drop the keys older than the previous signer" } },
  }, argv);
  const defaults = keyFilesIn(defaultDir);
  const files: KeyFiles = {
    signingKeysFile: env.AUTH_SIGNING_KEYS_FILE ?? defaults.signingKeysFile,
    jwksFile: env.AUTH_JWKS_FILE ?? defaults.jwksFile,
    serviceKeysFile: env.AUTH_SERVICE_KEYS_FILE ?? defaults.serviceKeysFile,
  };
  const kids = rotateKeyFiles(files, { retire });
  console.log(`user keys (${files.signingKeysFile}): ${kids.signing.join(", ")} (first signs)`);
  console.log(`mesh keys (${files.serviceKeysFile}): ${kids.service.join(", ")} (first signs)`);
  console.log(`public keys (${files.jwksFile}) updated; running processes pick the change up within seconds`);
}

try {
  if (command === "generate") generate();
  else if (command === "rotate") rotate();
  else {
    console.error(`keys: unknown command ${command ?? "(none)"}; run npm run keys:generate or npm run keys:rotate`);
    process.exit(2);
  }
} catch (err) {
  console.error(`keys:${command}: ${(err as Error).message}`);
  process.exit(1);
}
