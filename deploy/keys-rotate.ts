// `npm run keys:rotate [-- --retire]`: rotates the token keys `npm start` keeps (DATA_DIR/keys, or the files
// AUTH_SIGNING_KEYS_FILE, AUTH_JWKS_FILE and AUTH_SERVICE_KEYS_FILE name). A new key signs from now on; the
// previous signer still verifies, so nobody is signed out. --retire also drops the keys older than the previous
// signer. Running processes re-read the files within seconds; nothing restarts. Prints key ids, never keys.
import path from "node:path";
import { keyFilesIn, rotateKeyFiles, type KeyFiles } from "../services/lib/keys.js";

const env = process.env;
const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== "--retire");
if (unknown.length) {
  console.error(`unknown argument ${unknown[0]}; usage: npm run keys:rotate [-- --retire]`);
  process.exit(2);
}

const defaults = keyFilesIn(path.resolve(env.DATA_DIR ?? ".data", "keys"));
const files: KeyFiles = {
  signingKeysFile: env.AUTH_SIGNING_KEYS_FILE ?? defaults.signingKeysFile,
  jwksFile: env.AUTH_JWKS_FILE ?? defaults.jwksFile,
  serviceKeysFile: env.AUTH_SERVICE_KEYS_FILE ?? defaults.serviceKeysFile,
};
try {
  const kids = rotateKeyFiles(files, { retire: args.includes("--retire") });
  console.log(`user keys (${files.signingKeysFile}): ${kids.signing.join(", ")} (first signs)`);
  console.log(`mesh keys (${files.serviceKeysFile}): ${kids.service.join(", ")} (first signs)`);
  console.log(`public keys (${files.jwksFile}) updated; running processes pick the change up within seconds`);
} catch (err) {
  console.error(`keys:rotate: ${(err as Error).message} (npm start generates the keys on its first run)`);
  process.exit(1);
}
