// The try-on's tracker frame (luneo-tryon-frame.js in /storefront/tryon/frame.html): MediaPipe's
// face mesh or hands, run on the frames the page posts here. A frame of its own because their
// Wasm glue evaluates strings (it needs 'unsafe-eval'): Luneo's own pages and many stores forbid
// that, and this page allows it only in a sandbox (an opaque origin holding nothing). On a store's
// page it is another site's frame, which Chromium runs in a process of its own: tracking does
// not hold up the page's drawing. Pictures arrive as ImageBitmaps and never leave the browser.
const SCRIPTS = { face: "face_mesh.js", hand: "hands.js" };
const SOLUTIONS = { face: "FaceMesh", hand: "Hands" };
const RESULTS = { face: "multiFaceLandmarks", hand: "multiHandLandmarks" };
const OPTIONS = {
  face: { maxNumFaces: 1, refineLandmarks: false, selfieMode: false, minDetectionConfidence: 0.5, minTrackingConfidence: 0.5 },
  hand: { maxNumHands: 1, modelComplexity: 0, selfieMode: false, minDetectionConfidence: 0.5, minTrackingConfidence: 0.5 },
};

// The trackers' files lie beside this page (/storefront/tryon/).
const base = new URL(".", location.href).href;

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const s = document.createElement("script");
    s.src = src;
    s.crossOrigin = "anonymous";
    s.onload = resolve;
    s.onerror = () => reject(new Error("tracker"));
    document.head.appendChild(s);
  });
}

async function createSolution(kind) {
  await loadScript(base + SCRIPTS[kind]);
  const solution = new window[SOLUTIONS[kind]]({ locateFile: (file) => base + file });
  solution.setOptions(OPTIONS[kind]);
  let latest = null;
  solution.onResults((r) => {
    const all = r[RESULTS[kind]];
    latest = all && all.length ? all[0] : null;
  });
  await solution.initialize();
  const canvas = document.createElement("canvas");
  return async (bitmap) => {
    canvas.width = bitmap.width;
    canvas.height = bitmap.height;
    canvas.getContext("2d").drawImage(bitmap, 0, 0);
    bitmap.close();
    latest = null;
    await solution.send({ image: canvas });
    return latest ? latest.map((p) => ({ x: p.x, y: p.y, z: p.z })) : null;
  };
}

let detect = null;
const reply = (message) => window.parent.postMessage(message, "*");

window.addEventListener("message", async (event) => {
  if (event.source !== window.parent) return;
  const message = event.data || {};
  if (message.type === "init" && !detect && SCRIPTS[message.kind]) {
    detect = createSolution(message.kind);
    try {
      await detect;
      reply({ type: "ready" });
    } catch (err) {
      reply({ type: "failed" });
    }
  } else if (message.type === "detect" && detect && message.bitmap) {
    let landmarks = null;
    try {
      landmarks = await (await detect)(message.bitmap);
    } catch (err) {
      landmarks = null;
    }
    reply({ type: "landmarks", id: message.id, landmarks });
  }
});
reply({ type: "loaded" });
