// Files the processes read at run time (data/bestbuy/*.json.gz), found the same way from source and from a
// production bundle. From source this module is services/lib/assets.ts, two levels below the repository root;
// `npm run build` (deploy/build.ts) inlines every module into dist/<process>.js, sets BUNDLED, and copies data/
// to dist/data/, so a bundle finds its files beside itself and dist/ runs on its own.
declare const BUNDLED: boolean | undefined;

/** True inside a dist/ bundle; esbuild replaces the identifier with `true` there. */
export const IS_BUNDLE = typeof BUNDLED !== "undefined" && BUNDLED;

const ROOT = new URL(IS_BUNDLE ? "./" : "../../", import.meta.url);

/** A file under the repository root (from source) or under dist/ (from a bundle), e.g. "data/bestbuy/stores.json.gz". */
export function assetUrl(relative: string): URL {
  return new URL(relative, ROOT);
}
