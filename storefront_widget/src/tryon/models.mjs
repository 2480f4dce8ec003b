// The try-on trackers' files (MediaPipe's face mesh and hands: their scripts, Wasm and packed
// models, as the npm packages ship them) copied to storefront_widget/tryon/, which Luneo serves
// itself (app/storefront/public.py: tryon_file). Not in assets/: together they are ~40 MB,
// past what a Shopify theme app extension may hold. `node src/tryon/models.mjs` copies only.
import { copyFileSync, mkdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const modules = resolve(here, "..", "..", "node_modules", "@mediapipe");

export const TRACKER_FILES = {
  face_mesh: [
    "face_mesh.js",
    "face_mesh.binarypb",
    "face_mesh_solution_packed_assets.data",
    "face_mesh_solution_packed_assets_loader.js",
    "face_mesh_solution_simd_wasm_bin.js",
    "face_mesh_solution_simd_wasm_bin.wasm",
    "face_mesh_solution_wasm_bin.js",
    "face_mesh_solution_wasm_bin.wasm",
  ],
  hands: [
    "hands.js",
    "hands.binarypb",
    "hand_landmark_lite.tflite",
    "hand_landmark_full.tflite",
    "hands_solution_packed_assets.data",
    "hands_solution_packed_assets_loader.js",
    "hands_solution_simd_wasm_bin.js",
    "hands_solution_simd_wasm_bin.wasm",
    "hands_solution_wasm_bin.js",
    "hands_solution_wasm_bin.wasm",
  ],
};

export function copyTrackerFiles(outdir = resolve(here, "..", "..", "tryon")) {
  mkdirSync(outdir, { recursive: true });
  for (const [pkg, names] of Object.entries(TRACKER_FILES)) {
    for (const name of names) {
      const from = join(modules, pkg, name);
      const to = join(outdir, name);
      let same = false;
      try {
        same = statSync(to).size === statSync(from).size && statSync(to).mtimeMs >= statSync(from).mtimeMs;
      } catch {
        same = false;
      }
      if (!same) copyFileSync(from, to);
    }
  }
  return outdir;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) copyTrackerFiles();
