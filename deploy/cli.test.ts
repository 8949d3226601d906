// The project's commands behave like command-line tools: --help prints usage and exits 0, an unknown flag or a
// bad value is refused naming it, with a non-zero exit, before the command touches anything.
import { execFile } from "node:child_process";
import { expect } from "chai";
import { parseFlags, usage, UsageError, type Command, type Flag } from "../services/lib/cli.js";

/** Runs `npm run seed -- <args>` as npm does (node with tsx), with no database reachable. */
function seed(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", "tsx", "deploy/seed-cli.ts", ...args],
      { env: { ...process.env, DATABASE_URL: "postgres://nobody:x@127.0.0.1:1/none" }, timeout: 30_000 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === "number" ? err.code : -1) : 0, stdout, stderr }));
  });
}

describe("command-line flags", () => {
  it("npm run seed -- --help prints the usage with every flag and exits 0", async () => {
    const r = await seed("--help");
    expect(r.code).to.equal(0);
    expect(r.stdout).to.match(/^Usage: npm run seed -- \[flags\]/);
    for (const flag of ["--items N", "--seed N", "--warehouses N", "--batch N", "--no-wait", "--help"]) expect(r.stdout).to.contain(flag);
    expect(r.stderr).to.equal("");
  });

  it("npm run seed -- --no-such-flag fails naming the flag", async () => {
    const r = await seed("--no-such-flag");
    expect(r.code).to.equal(2);
    expect(r.stderr).to.contain("unknown flag --no-such-flag");
    expect(r.stdout).to.equal("");
  });

  it("npm run seed refuses a value that is not a whole number, naming the flag", async () => {
    const r = await seed("--items", "lots");
    expect(r.code).to.equal(2);
    expect(r.stderr).to.contain("--items needs a whole number").and.to.contain("'lots'");
  });

  describe("parseFlags", () => {
    const cmd: Command<Record<string, Flag>> = {
      usage: "npm run x --",
      summary: "Does x.",
      flags: {
        count: { type: "int", default: 5, min: 1, max: 10, help: "how many" },
        name: { type: "string", help: "a name" },
        quiet: { type: "boolean", help: "say less" },
      },
    };

    it("gives defaults, parses values, and both --flag v and --flag=v", () => {
      expect(parseFlags(cmd, [])).to.deep.equal({ help: false, count: 5, name: undefined, quiet: false });
      expect(parseFlags(cmd, ["--count", "7", "--name=a b", "--quiet"])).to.deep.equal({ help: false, count: 7, name: "a b", quiet: true });
      expect(parseFlags(cmd, ["-h"]).help).to.equal(true);
    });

    it("refuses unknown flags, positionals, missing values and out-of-range numbers", () => {
      const bad: [string[], RegExp][] = [
        [["--cont", "3"], /unknown flag --cont/],
        [["3"], /unexpected argument 3/],
        [["--count"], /--count/],
        [["--count", "0"], /--count needs a whole number from 1 to 10, got '0'/],
        [["--count", "11"], /--count needs a whole number from 1 to 10/],
        [["--count", "2.5"], /--count needs a whole number/],
        [["--quiet=yes"], /--quiet/],
      ];
      for (const [argv, message] of bad) expect(() => parseFlags(cmd, argv), argv.join(" ")).to.throw(UsageError, message);
    });

    it("lists every flag with its default in the usage", () => {
      const text = usage(cmd);
      expect(text).to.contain("--count N").and.to.contain("how many (default 5)").and.to.contain("--quiet").and.to.contain("--help, -h");
    });
  });
});
