// Builds the SDK into dist/ (committed, like the widget's assets; a test rebuilds and compares):
// luneo-sdk.js (ES module, for bundlers and <script type="module">), luneo-sdk.iife.js (a
// global `LuneoSDK` for a plain <script>), and the type declarations tsc emits (index.d.ts …).
// Deterministic: no timestamps, no absolute paths. `node scripts/build.mjs [outdir]`.
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const outdir = resolve(process.argv[2] || join(root, "dist"));
mkdirSync(outdir, { recursive: true });
const common = {
  entryPoints: ["src/index.ts"],
  bundle: true,
  minify: true,
  legalComments: "none",
  target: ["es2020"],
  logLevel: "warning",
  absWorkingDir: root,
  charset: "utf8",
};
await Promise.all([
  build({ ...common, outfile: join(outdir, "luneo-sdk.js"), format: "esm" }),
  build({ ...common, outfile: join(outdir, "luneo-sdk.iife.js"), format: "iife", globalName: "LuneoSDK" }),
]);
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
execFileSync(process.execPath, [tsc, "-p", root, "--outDir", outdir], { stdio: "inherit" });
