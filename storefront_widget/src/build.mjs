// Builds the theme app extension's assets from src/ (committed; a test rebuilds and compares).
// `node src/build.mjs [outdir]` — outdir defaults to ../assets. Deterministic: no timestamps,
// no absolute paths, so the same sources always give the same bytes.
import { build } from "esbuild";
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { copyTrackerFiles } from "./tryon/models.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const outdir = resolve(process.argv[2] || join(here, "..", "assets"));
mkdirSync(outdir, { recursive: true });

const common = {
  bundle: true,
  minify: true,
  legalComments: "none",
  target: ["es2020"],
  logLevel: "warning",
  absWorkingDir: here,
  charset: "utf8",
};

// model-viewer's defaults fetch the Draco/KTX2 decoders and a Lottie loader from Google's and
// jsDelivr's CDNs when a model needs them. Luneo's GLBs use none of those extensions, and nothing
// may be loaded from a third-party CDN at runtime: the defaults become empty (same-origin) paths.
const noThirdPartyCdn = {
  name: "no-third-party-cdn",
  setup(b) {
    b.onLoad({ filter: /model-viewer[\\/]lib[\\/]features[\\/]loading\.js$/ }, (args) => ({
      contents: readFileSync(args.path, "utf8").replace(/'https:\/\/(www\.gstatic\.com|cdn\.jsdelivr\.net)\/[^']*'/g, "''"),
      loader: "js",
    }));
  },
};

await Promise.all([
  // The product-page loader: tiny, no dependencies.
  build({ ...common, entryPoints: ["loader.js"], outfile: join(outdir, "luneo-loader.js"), format: "iife" }),
  // The editor, loaded on the first click.
  build({ ...common, entryPoints: ["editor/index.js"], outfile: join(outdir, "luneo-editor.js"), format: "iife" }),
  build({ ...common, entryPoints: ["editor/editor.css"], outfile: join(outdir, "luneo-editor.css") }),
  // The design recovery page's glue (Luneo's page, and the plugin's page on a WooCommerce store).
  build({ ...common, entryPoints: ["recovery.js"], outfile: join(outdir, "luneo-recovery.js"), format: "iife" }),
  // The page to change an ordered design: the same glue, replacing the order line's design.
  build({ ...common, entryPoints: ["order_edit.js"], outfile: join(outdir, "luneo-order-edit.js"), format: "iife" }),
  // The virtual try-on, loaded when a shopper opens it (its trackers' files: tryon/models.mjs).
  build({ ...common, entryPoints: ["tryon/index.js"], outfile: join(outdir, "luneo-tryon.js"), format: "iife" }),
  // Its tracker frame (/storefront/tryon/frame.html): MediaPipe runs there, never on the page.
  build({ ...common, entryPoints: ["tryon/frame.js"], outfile: join(outdir, "luneo-tryon-frame.js"), format: "iife" }),
  // The 3D preview: @google/model-viewer with three, vendored from node_modules (never a CDN).
  build({
    ...common,
    entryPoints: ["viewer.js"],
    outfile: join(outdir, "luneo-viewer.js"),
    format: "iife",
    legalComments: "eof",
    plugins: [noThirdPartyCdn],
  }),
]);

copyTrackerFiles();
