// A strict reader of the Prometheus text exposition format (version 0.0.4), for tests: every line must be a
// HELP or TYPE comment or a sample of a declared family, names and labels well formed, values numbers, and a
// histogram's buckets cumulative with +Inf equal to its count. Throws on the first line that is not.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/;
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(,|$)/y;

export function parsePrometheusText(text: string): { types: Map<string, string>; samples: Sample[] } {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  text.split("\n").forEach((line, i) => {
    const where = `line ${i + 1}: ${line}`;
    if (line === "") return;
    if (line.startsWith("#")) {
      const m = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
      if (!m || !NAME.test(m[2])) throw new Error(`malformed comment, ${where}`);
      if (m[1] === "TYPE") {
        if (!["counter", "gauge", "histogram", "summary", "untyped"].includes(m[3] ?? "")) throw new Error(`unknown type, ${where}`);
        types.set(m[2], m[3]);
      }
      return;
    }
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`malformed sample, ${where}`);
    const family = familyOf(m[1], types);
    if (!family) throw new Error(`sample of an undeclared family, ${where}`);
    const labels: Record<string, string> = {};
    if (m[2]) {
      LABEL.lastIndex = 0;
      while (LABEL.lastIndex < m[2].length) {
        const l = LABEL.exec(m[2]);
        if (!l) throw new Error(`malformed labels, ${where}`);
        labels[l[1]] = l[2].replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
      }
    }
    // Values are Go floats: NaN and Inf in any case, as Prometheus reads them.
    const value = /^[+-]?inf$/i.test(m[3]) ? (m[3].startsWith("-") ? -Infinity : Infinity) : /^nan$/i.test(m[3]) ? NaN : Number(m[3]);
    if (Number.isNaN(value) && !/^nan$/i.test(m[3])) throw new Error(`value is not a number, ${where}`);
    samples.push({ name: m[1], labels, value });
  });
  checkHistograms(types, samples);
  return { types, samples };
}

/** The declared family a sample belongs to (a histogram's _bucket, _sum and _count belong to it). */
function familyOf(name: string, types: Map<string, string>): string | undefined {
  if (types.has(name)) return name;
  const base = name.replace(/_(bucket|sum|count|total|created)$/, "");
  return types.has(base) ? base : undefined;
}

function checkHistograms(types: Map<string, string>, samples: Sample[]): void {
  for (const [family, type] of types) {
    if (type !== "histogram") continue;
    const series = new Map<string, { buckets: [number, number][]; count?: number }>();
    const keyOf = (labels: Record<string, string>) => JSON.stringify(Object.entries(labels).filter(([k]) => k !== "le").sort());
    for (const s of samples) {
      if (s.name !== `${family}_bucket` && s.name !== `${family}_count`) continue;
      const entry = series.get(keyOf(s.labels)) ?? { buckets: [] };
      series.set(keyOf(s.labels), entry);
      if (s.name.endsWith("_count")) entry.count = s.value;
      else entry.buckets.push([s.labels.le === "+Inf" ? Infinity : Number(s.labels.le), s.value]);
    }
    for (const [key, { buckets, count }] of series) {
      buckets.sort((a, b) => a[0] - b[0]);
      buckets.forEach(([, v], i) => {
        if (i > 0 && v < buckets[i - 1][1]) throw new Error(`${family}${key}: buckets are not cumulative`);
      });
      const inf = buckets.at(-1);
      if (!inf || inf[0] !== Infinity || inf[1] !== count) throw new Error(`${family}${key}: the +Inf bucket is not the count`);
    }
  }
}

/** The value of the one sample named `name` whose labels include `labels` (0 when there is none). */
export function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}
