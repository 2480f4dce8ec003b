// The virtual try-on (luneo-tryon.js): loaded only when a shopper opens "Try it on" (or the
// admin's preview). It runs MediaPipe's face mesh or hands in the browser — in Luneo's tracker
// frame (frame.js), their scripts, Wasm and models from Luneo's own tracker route (`modelsUrl`),
// never a CDN — on the camera's frames or on a photo the shopper picks, and draws the design over the face or hand (placement.js).
// Frames and photos never leave the device: nothing here uploads anything.
import { drawOverlay, placements, TRACKERS } from "./placement.js";
import { TRYON_EN } from "./strings.js";

// The trackers get a downscaled frame, its longest side at most this (the face mesh looks at
// 192 × 192 crops and its detector at 128 × 128: a bigger frame only costs copying and resizing).
// Landmarks come back as fractions of the frame, so the placement is in the caller's pixels.
export const TRACK_SIDE = 320;
// The first detection waits for ~10 MB of Wasm and model to load and warm up.
const LOAD_TIMEOUT_MS = 120000;

export function trackSize(w, h, side = TRACK_SIDE) {
  const s = Math.min(1, side / Math.max(w, h));
  return [Math.max(1, Math.round(w * s)), Math.max(1, Math.round(h * s))];
}

function sizeOf(source) {
  return [source.videoWidth || source.naturalWidth || source.width, source.videoHeight || source.naturalHeight || source.height];
}

// A tracker for `kind` ("face" or "hand"): `detect(image)` resolves to the landmarks or null.
// It runs in Luneo's tracker frame (`modelsUrl` + "frame.html", see frame.js): a hidden iframe,
// sandboxed, the only place MediaPipe's Wasm glue may evaluate strings; the page itself needs no
// 'unsafe-eval'. Each frame goes there as an ImageBitmap (moved, not copied), the landmarks come
// back. One detection at a time: callers wait for it before the next (never a queue of frames).
export async function createTracker(kind, modelsUrl) {
  const base = modelsUrl.endsWith("/") ? modelsUrl : modelsUrl + "/";
  const frame = document.createElement("iframe");
  frame.src = base + "frame.html";
  frame.setAttribute("sandbox", "allow-scripts");
  frame.setAttribute("aria-hidden", "true");
  frame.tabIndex = -1;
  frame.title = "";
  frame.dataset.tryonTracker = kind;
  // Not display:none: a hidden cross-site frame may be throttled. A pixel, out of sight.
  frame.style.cssText = "position:fixed;width:1px;height:1px;left:-10px;top:-10px;border:0;opacity:0;pointer-events:none";
  const waiting = new Map();
  let next = 0;
  let ready = null;
  const settle = (resolve, reject) => {
    ready = { resolve, reject };
  };
  const loaded = new Promise(settle);
  function onMessage(event) {
    if (event.source !== frame.contentWindow) return;
    const message = event.data || {};
    if (message.type === "loaded") frame.contentWindow.postMessage({ type: "init", kind }, "*");
    else if (message.type === "ready") ready.resolve();
    else if (message.type === "failed") ready.reject(new Error("tracker"));
    else if (message.type === "landmarks" && waiting.has(message.id)) {
      waiting.get(message.id)(message.landmarks || null);
      waiting.delete(message.id);
    }
  }
  window.addEventListener("message", onMessage);
  const close = () => {
    window.removeEventListener("message", onMessage);
    frame.remove();
    waiting.forEach((resolve) => resolve(null));
    waiting.clear();
  };
  const timer = setTimeout(() => ready.reject(new Error("tracker")), LOAD_TIMEOUT_MS);
  frame.addEventListener("error", () => ready.reject(new Error("tracker")));
  document.body.appendChild(frame);
  try {
    await loaded;
  } catch (err) {
    close();
    throw err;
  } finally {
    clearTimeout(timer);
  }
  const small = document.createElement("canvas");
  return {
    async detect(source) {
      const [w, h] = sizeOf(source);
      [small.width, small.height] = trackSize(w, h);
      small.getContext("2d").drawImage(source, 0, 0, small.width, small.height);
      const bitmap = await createImageBitmap(small);
      const id = ++next;
      const answer = new Promise((resolve) => waiting.set(id, resolve));
      frame.contentWindow.postMessage({ type: "detect", id, bitmap }, "*", [bitmap]);
      return answer;
    },
    close,
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

// How long the drawn design takes to move most of the way (63 %) to new landmarks.
export const SMOOTH_MS = 60;
// Display frames drawn between two detections of the camera's tracker, at least: the tracker's
// frame runs in a process of its own where the browser isolates it (another site's frame, or a
// sandboxed one), else on the page's thread, which must still get to draw between detections.
export const REST_FRAMES = 1;

// The landmarks to draw: `shown` moved towards the tracker's latest `target` after `dt` ms.
// A face found (or lost) is drawn at once; a still face is caught up with in a few frames.
export function ease(shown, target, dt) {
  if (!target || !shown || shown.length !== target.length) return target;
  const k = 1 - Math.exp(-Math.max(0, dt) / SMOOTH_MS);
  return target.map((p, i) => ({ x: shown[i].x + (p.x - shown[i].x) * k, y: shown[i].y + (p.y - shown[i].y) * k }));
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
  let runs = 0;
  let art = overlay();
  const video = h("video", { playsinline: true, muted: true, autoplay: true });

  // The tracker, loaded once; null when it cannot run here (no WebGL or Wasm, or a page whose
  // Content-Security-Policy forbids Luneo's tracker frame: frame-src without Luneo's origin).
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

  // `tracked`: false while the first detection is still running (no verdict to show yet).
  function report(boxes, landmarks, tracked = true) {
    if (!tracked) {
      canvas.dataset.frames = String(Number(canvas.dataset.frames || 0) + 1);
      return;
    }
    canvas.dataset.landmarks = landmarks ? String(landmarks.length) : "0";
    canvas.dataset.boxes = JSON.stringify(boxes.map((b) => [b.x, b.y, b.width, b.height, b.angle].map((n) => Math.round(n * 100) / 100)));
    canvas.dataset.frames = String(Number(canvas.dataset.frames || 0) + 1);
    const words = landmarks ? t("tryon_privacy") : t(kind === "face" ? "tryon_no_face" : "tryon_no_hand");
    if (status.textContent !== words) status.textContent = words;
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
    const run = ++runs;
    // Two loops. The tracker's: on the newest camera frame whenever it is free (one detection
    // at a time, so frames are never queued), keeping the latest landmarks. The drawing's: on
    // every display frame, the camera frame with the design placed on the latest landmarks,
    // eased towards them (SMOOTH_MS) so it glides between detections instead of jumping.
    let latest = null;
    let shown = null;
    let last = 0;
    let detected = false;
    const track = async () => {
      while (running && run === runs) {
        latest = await found.detect(video);
        detected = true;
        canvas.dataset.tracked = String(Number(canvas.dataset.tracked || 0) + 1);
        for (let i = 0; i < REST_FRAMES; i++) await new Promise((resolve) => requestAnimationFrame(resolve));
      }
    };
    const draw = (now) => {
      if (!running || run !== runs) return;
      shown = ease(shown, latest, now - last);
      last = now;
      report(compose(canvas, video, art, settings, shown), shown, detected);
      requestAnimationFrame(draw);
    };
    track();
    requestAnimationFrame(draw);
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
