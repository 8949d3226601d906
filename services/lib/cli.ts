// Command-line flags for the project's commands (seed, search:reindex, the benchmarks): node:util parseArgs in
// strict mode, `--help` printing usage (exit 0), and an unknown flag or a bad value refused with a message naming
// it (exit 2), so a typo never runs a long command with a default the user did not ask for.
import { parseArgs } from "node:util";

export type Flag =
  | { type: "int"; default: number; min?: number; max?: number; help: string }
  | { type: "string"; default?: string; help: string }
  | { type: "boolean"; help: string };

export interface Command<F extends Record<string, Flag>> {
  /** how the user runs it, e.g. "npm run seed --" (the `--` hands the flags on to the command) */
  usage: string;
  /** one paragraph: what the command does */
  summary: string;
  flags: F;
}

type Values<F extends Record<string, Flag>> = {
  [K in keyof F]: F[K] extends { type: "int" } ? number : F[K] extends { type: "boolean" } ? boolean : F[K] extends { default: string } ? string : string | undefined;
};

/** The usage text: the command line, what it does, and every flag with its default. */
export function usage(cmd: Command<Record<string, Flag>>): string {
  const rows = Object.entries(cmd.flags).map(([name, f]) => {
    const left = f.type === "boolean" ? `--${name}` : `--${name} ${f.type === "int" ? "N" : "VALUE"}`;
    const dflt = f.type !== "boolean" && f.default !== undefined ? ` (default ${f.default})` : "";
    return [left, `${f.help}${dflt}`];
  });
  rows.push(["--help, -h", "print this help and exit"]);
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  return [`Usage: ${cmd.usage} [flags]`, "", wrap(cmd.summary, 100), "", "Flags:", ...rows.map(([l, r]) => `  ${l.padEnd(width)}${r}`), ""].join("\n");
}

function wrap(text: string, width: number): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line].join("\n");
}

/** A flag the user got wrong: the message names it. */
export class UsageError extends Error {}

/** Parses `argv` against the command's flags; throws UsageError on an unknown flag or a bad value. */
export function parseFlags<F extends Record<string, Flag>>(cmd: Command<F>, argv: string[]): Values<F> & { help: boolean } {
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = { help: { type: "boolean", short: "h" } };
  for (const [name, f] of Object.entries(cmd.flags)) options[name] = { type: f.type === "boolean" ? "boolean" : "string" };
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false }));
  } catch (err) {
    const e = err as Error & { code?: string };
    const named = /'([^']+)'/.exec(e.message)?.[1];
    if (e.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") throw new UsageError(`unknown flag ${named}`);
    if (e.code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") throw new UsageError(`unexpected argument ${named} (every value follows its flag)`);
    throw new UsageError(e.message.split(". ")[0]);
  }
  const out: Record<string, unknown> = { help: values.help === true };
  for (const [name, f] of Object.entries(cmd.flags)) {
    const raw = values[name];
    if (f.type === "boolean") out[name] = raw === true;
    else if (f.type === "string") out[name] = raw ?? f.default;
    else if (raw === undefined) out[name] = f.default;
    else {
      const n = Number(raw);
      const min = f.min ?? 0;
      if (!/^-?\d+$/.test(String(raw)) || n < min || (f.max !== undefined && n > f.max)) {
        throw new UsageError(`--${name} needs a whole number ${f.max !== undefined ? `from ${min} to ${f.max}` : `>= ${min}`}, got '${raw}'`);
      }
      out[name] = n;
    }
  }
  return out as Values<F> & { help: boolean };
}

/**
 * The flags of this process (`process.argv`): prints usage and exits 0 on --help; prints what is wrong and exits 2
 * on a bad flag.
 */
export function cliFlags<F extends Record<string, Flag>>(cmd: Command<F>, argv = process.argv.slice(2)): Values<F> {
  try {
    const values = parseFlags(cmd, argv);
    if (values.help) {
      process.stdout.write(usage(cmd));
      process.exit(0);
    }
    return values;
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${cmd.usage.replace(/ --$/, "")}: ${err.message}\nRun with --help for the flags.\n`);
    process.exit(2);
  }
}
