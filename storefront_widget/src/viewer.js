// The 3D preview asset: registers <model-viewer> (bundled with three from npm at build time).
// Loaded by the editor only when the shopper opens the 3D tab.
import "@google/model-viewer";

window.dispatchEvent(new CustomEvent("luneo:viewer-ready"));
