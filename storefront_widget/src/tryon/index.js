// The virtual try-on (luneo-tryon.js): loaded only when a shopper opens "Try it on" (or the
// admin's preview). It runs MediaPipe's face mesh or hands in the browser — their scripts, Wasm
// and models come from Luneo's own tracker route (`modelsUrl`), never a CDN — on the camera's
// frames or on a photo the shopper picks, and draws the design over the face or hand (placement.js).
// Frames and photos never leave the device: nothing here uploads anything.
import { drawOverlay, placements, TRACKERS } from "./placement.js";
import { TRYON_EN } from "./strings.js";

const SCRIPTS = { face: "face_mesh.js", hand: "hands.js" };
const scriptLoads = {};

function loadScript(src) {
  if (!scriptLoads[src]) {
    scriptLoads[src] = new Promise((resolve, reject) => {
      const s = document.createElement("script");
      s.src = src;
      s.crossOrigin = "anonymous";
      s.onload = resolve;
      s.onerror = () => {
        delete scriptLoads[src];
        reject(new Error("tracker"));
      };
      document.head.appendChild(s);
    });
  }
  return scriptLoads[src];
}

// A tracker for `kind` ("face" or "hand"): `detect(image)` resolves to the landmarks or null.
export async function createTracker(kind, modelsUrl) {
  const base = modelsUrl.endsWith("/") ? modelsUrl : modelsUrl + "/";
  await loadScript(base + SCRIPTS[kind]);
  const locateFile = (file) => base + file;
  const solution = kind === "face" ? new window.FaceMesh({ locateFile }) : new window.Hands({ locateFile });
  solution.setOptions(kind === "face"
    ? { maxNumFaces: 1, refineLandmarks: false, minDetectionConfidence: 0.5, minTrackingConfidence: 0.5 }
    : { maxNumHands: 1, modelComplexity: 0, minDetectionConfidence: 0.5, minTrackingConfidence: 0.5 });
  let latest = null;
  solution.onResults((r) => {
    const all = kind === "face" ? r.multiFaceLandmarks : r.multiHandLandmarks;
    latest = all && all.length ? all[0] : null;
  });
  await solution.initialize();
  return {
    async detect(image) {
      latest = null;
      await solution.send({ image });
      return latest;
    },
    close: () => solution.close(),
  };
}

export function trackerOf(settings) {
  return TRACKERS[settings.anchor] || "face";
}

// Draws `source` (video, image or canvas) and the overlay on it into `canvas`; returns the boxes.
export function compose(canvas, source, overlay, settings, landmarks) {
  const w = source.videoWidth || source.naturalWidth || source.width;
  const h = source.videoHeight || source.naturalHeight || source.height;
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
  }
  const ctx = canvas.getContext("2d");
  ctx.drawImage(source, 0, 0, w, h);
  const aspect = overlay.height / overlay.width || 1;
  const boxes = landmarks ? placements(settings, landmarks, w, h, aspect) : [];
  drawOverlay(ctx, overlay, boxes);
  return boxes;
}

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, "");
    else if (v !== false && v != null) el.setAttribute(k, v);
  }
  el.append(...children.flat().filter((c) => c != null));
  return el;
}

// The shopper's try-on panel, inside `host`: camera or photo, the live picture with the
// design on it, a snapshot to save or share. `overlay()` returns the design as drawn now.
export function open({ host, settings, modelsUrl, overlay, t = (key) => TRYON_EN[key], onClose, fileName = "try-on.png" }) {
  const kind = trackerOf(settings);
  const canvas = h("canvas", { class: "luneo-tryon-canvas", role: "img", "aria-label": t("tryon_alt"), "data-tryon-canvas": "" });
  const status = h("p", { class: "luneo-tryon-status", role: "status", "aria-live": "polite", "data-tryon-status": "" }, t("tryon_privacy"));
  const fileInput = h("input", { type: "file", accept: "image/*", hidden: true, "data-tryon-file": "", onchange: () => usePhoto(fileInput.files[0]) });
  const cameraButton = h("button", { type: "button", class: "luneo-secondary", "data-tryon-camera": "", onclick: () => useCamera() }, t("tryon_camera"));
  const photoButton = h("button", { type: "button", class: "luneo-secondary", "data-tryon-photo": "", onclick: () => fileInput.click() }, t("tryon_photo"));
  const saveButton = h("button", { type: "button", class: "luneo-primary", disabled: true, "data-tryon-save": "", onclick: () => snapshot(false) }, t("tryon_save"));
  const shareButton = h("button", { type: "button", class: "luneo-secondary", disabled: true, hidden: !navigator.share, "data-tryon-share": "", onclick: () => snapshot(true) }, t("tryon_share"));
  const closeButton = h("button", { type: "button", class: "luneo-secondary", "data-tryon-close": "", onclick: () => close() }, t("tryon_close"));
  const panel = h("section", { class: "luneo-tryon", "aria-label": t("tryon"), "data-tryon": "" },
    h("div", { class: "luneo-tryon-actions" }, cameraButton, photoButton, fileInput, closeButton),
    canvas, status, h("div", { class: "luneo-tryon-actions" }, saveButton, shareButton));
  host.append(panel);

  let tracker = null;
  let stream = null;
  let running = false;
  let art = overlay();
  const video = h("video", { playsinline: true, muted: true, autoplay: true });

  // The tracker, loaded once; null when it cannot run here (no WebGL or Wasm, or a page whose
  // Content-Security-Policy forbids what MediaPipe's Wasm glue needs: 'unsafe-eval').
  async function getTracker() {
    if (!tracker) {
      status.textContent = t("tryon_loading");
      tracker = createTracker(kind, modelsUrl);
    }
    try {
      return await tracker;
    } catch (err) {
      tracker = null;
      status.textContent = t("tryon_failed");
      return null;
    }
  }

  function report(boxes, landmarks) {
    canvas.dataset.landmarks = landmarks ? String(landmarks.length) : "0";
    canvas.dataset.boxes = JSON.stringify(boxes.map((b) => [b.x, b.y, b.width, b.height, b.angle].map((n) => Math.round(n * 100) / 100)));
    canvas.dataset.frames = String(Number(canvas.dataset.frames || 0) + 1);
    status.textContent = landmarks ? t("tryon_privacy") : t(kind === "face" ? "tryon_no_face" : "tryon_no_hand");
    saveButton.disabled = shareButton.disabled = false;
  }

  function stopCamera() {
    running = false;
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
  }

  async function useCamera() {
    stopCamera();
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: kind === "face" ? "user" : "environment" }, audio: false });
    } catch (err) {
      status.textContent = t("tryon_no_camera");
      return;
    }
    video.srcObject = stream;
    await video.play();
    const found = await getTracker();
    if (!found) return stopCamera();
    running = true;
    const loop = async () => {
      if (!running) return;
      const landmarks = await found.detect(video);
      if (!running) return;
      report(compose(canvas, video, art, settings, landmarks), landmarks);
      requestAnimationFrame(loop);
    };
    loop();
  }

  async function usePhoto(file) {
    if (!file) return;
    stopCamera();
    const url = URL.createObjectURL(file);
    const image = new Image();
    try {
      await new Promise((resolve, reject) => {
        image.onload = resolve;
        image.onerror = reject;
        image.src = url;
      });
      const found = await getTracker();
      if (!found) return;
      const landmarks = await found.detect(image);
      report(compose(canvas, image, art, settings, landmarks), landmarks);
    } catch (err) {
      status.textContent = t("tryon_bad_photo");
    } finally {
      URL.revokeObjectURL(url);
    }
  }

  function snapshot(share) {
    canvas.toBlob(async (blob) => {
      if (!blob) return;
      const file = new File([blob], fileName, { type: "image/png" });
      if (share && navigator.canShare && navigator.canShare({ files: [file] })) {
        try {
          await navigator.share({ files: [file], title: t("tryon") });
        } catch (err) {
          // The shopper cancelled the share sheet: nothing to do.
        }
        return;
      }
      const link = h("a", { href: URL.createObjectURL(blob), download: fileName, "data-tryon-download": "" });
      document.body.append(link);
      link.click();
      setTimeout(() => {
        URL.revokeObjectURL(link.href);
        link.remove();
      }, 1000);
    }, "image/png");
  }

  function close() {
    stopCamera();
    if (tracker) tracker.then((found) => found.close()).catch(() => {});
    tracker = null;
    panel.remove();
    if (onClose) onClose();
  }

  return {
    panel,
    refresh() {
      art = overlay();
    },
    useCamera,
    usePhoto,
    close,
  };
}

// The admin's preview: the overlay placed on a sample portrait with the same code as the widget.
// One tracker per kind, kept: the merchant moves a slider and sees the result at once.
const previewTrackers = {};
export async function preview({ canvas, image, settings, modelsUrl, overlay }) {
  const kind = trackerOf(settings);
  previewTrackers[kind] = previewTrackers[kind] || createTracker(kind, modelsUrl);
  const found = await previewTrackers[kind];
  const landmarks = await found.detect(image);
  return { landmarks, boxes: compose(canvas, image, overlay, settings, landmarks) };
}

window.LuneoTryOn = { open, preview, placements, createTracker, compose };
window.dispatchEvent(new CustomEvent("luneo:tryon-ready"));
