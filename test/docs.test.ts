// The project documents itself: every document a source comment cites is in the repository (and every section
// of docs/design.md it names exists), and the project speaks of what the code does, not of how it was developed.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";

const ROOT = path.resolve(import.meta.dirname, "..");
const SOURCE_DIRS = ["services", "gateway", "deploy", "test", "proto"];
const TEXT = /\.(ts|proto|md|html|css)$/;

function files(dirs: string[]): string[] {
  return dirs.flatMap((dir) => (readdirSync(path.join(ROOT, dir), { recursive: true }) as string[])
    .filter((f) => TEXT.test(f) && !f.split(path.sep).includes("node_modules"))
    .map((f) => path.join(dir, f)));
}

/** [file:line, text] of every line matching `pattern`. */
function grep(paths: string[], pattern: RegExp): [string, string][] {
  return paths.flatMap((f) => readFileSync(path.join(ROOT, f), "utf8").split("\n")
    .map((line, i) => [`${f}:${i + 1}`, line] as [string, string])
    .filter(([, line]) => pattern.test(line)));
}

describe("the project's own documentation", () => {
  const sources = files(SOURCE_DIRS);
  const documents = ["README.md", ...files(["docs"])];

  it("cites only documents the repository holds", () => {
    const cited = grep(sources, /\b(docs\/[\w.-]+\.md|[A-Z]+\.md)\b/)
      .flatMap(([where, line]) => [...line.matchAll(/\b(docs\/[\w.-]+\.md|[A-Z]+\.md)\b/g)].map((m) => [where, m[1]]));
    expect(cited.length, "comments cite docs/design.md").to.be.greaterThan(5);
    const missing = cited.filter(([, doc]) => !existsSync(path.join(ROOT, doc)));
    expect(missing, "cited documents that do not exist").to.deep.equal([]);
  });

  it("names only sections docs/design.md has", () => {
    const headings = new Set(readFileSync(path.join(ROOT, "docs/design.md"), "utf8").split("\n")
      .filter((l) => l.startsWith("#")).map((l) => l.replace(/^#+\s*/, "")));
    const named = grep(sources, /docs\/design\.md "/)
      .flatMap(([where, line]) => [...line.matchAll(/docs\/design\.md "([^"]+)"/g)].map((m) => [where, m[1]]));
    expect(named.length).to.be.greaterThan(5);
    expect(named.filter(([, section]) => !headings.has(section)), "sections that docs/design.md lacks").to.deep.equal([]);
  });

  it("says what the code does, never how it was developed", () => {
    // Built from parts so that this file does not match itself.
    const words = [["sessions?", "[0-9]"], ["design", "card"], ["closing", "note"], ["not", "committed"], ["the", "issue\\b"]];
    const history = new RegExp(words.map((w) => w.join(" ")).join("|"), "i");
    expect(grep([...documents, ...sources], history)).to.deep.equal([]);
  });
});
