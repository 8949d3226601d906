// Token key files from the command line. Prints paths and key ids, never keys.
//   npm run keys:generate [-- DIR]        creates the three key files in DIR (default DATA_DIR/keys) unless present
//   npm run keys:rotate [-- --retire]     a new key signs from now on; the previous signer still verifies, so
//                                         nobody is signed out; --retire drops the keys older than that one
// keys:rotate works on DATA_DIR/keys (what `npm start` generated) or on the files AUTH_SIGNING_KEYS_FILE,
// AUTH_JWKS_FILE and AUTH_SERVICE_KEYS_FILE name. Running processes re-read the files within seconds.
import path from "node:path";
import { ensureKeyFiles, keyFilesIn, rotateKeyFiles, type KeyFiles } from "../services/lib/keys.js";

const env = process.env;
const [command, ...args] = process.argv.slice(2);
const defaultDir = path.resolve(env.DATA_DIR ?? ".data", "keys");

function usage(problem: string): never {
  console.error(`${problem}; usage: npm run keys:generate [-- DIR] | npm run keys:rotate [-- --retire]`);
  process.exit(2);
}

try {
  if (command === "generate") {
    if (args.length > 1 || args[0]?.startsWith("-")) usage(`unexpected argument ${args[1] ?? args[0]}`);
    const files = ensureKeyFiles(path.resolve(args[0] ?? defaultDir));
    console.log(`${files.generated ? "generated" : "kept the existing"} key files (directory 0700, files 0600):`);
    console.log(`  AUTH_SIGNING_KEYS_FILE=${files.signingKeysFile}   (the gateway only)`);
    console.log(`  AUTH_JWKS_FILE=${files.jwksFile}   (the gateway and every service)`);
    console.log(`  AUTH_SERVICE_KEYS_FILE=${files.serviceKeysFile}   (every service, not the gateway)`);
  } else if (command === "rotate") {
    const unknown = args.filter((a) => a !== "--retire");
    if (unknown.length) usage(`unknown argument ${unknown[0]}`);
    const defaults = keyFilesIn(defaultDir);
    const files: KeyFiles = {
      signingKeysFile: env.AUTH_SIGNING_KEYS_FILE ?? defaults.signingKeysFile,
      jwksFile: env.AUTH_JWKS_FILE ?? defaults.jwksFile,
      serviceKeysFile: env.AUTH_SERVICE_KEYS_FILE ?? defaults.serviceKeysFile,
    };
    const kids = rotateKeyFiles(files, { retire: args.includes("--retire") });
    console.log(`user keys (${files.signingKeysFile}): ${kids.signing.join(", ")} (first signs)`);
    console.log(`mesh keys (${files.serviceKeysFile}): ${kids.service.join(", ")} (first signs)`);
    console.log(`public keys (${files.jwksFile}) updated; running processes pick the change up within seconds`);
  } else {
    usage(`unknown command ${command ?? "(none)"}`);
  }
} catch (err) {
  console.error(`keys ${command}: ${(err as Error).message}`);
  process.exit(1);
}
