// The live previews: the 2D mockup (client-side canvas, redrawn on every change) and the 3D model
// (the GLB with the artwork as its texture), whose viewer asset loads only when asked for.
import { renderArea } from "./render.js";
import { displaced, luminance, offsets } from "./displace.js";
import { centrePxPerMm, sourceMm } from "./warp.js";

// The area's pictures: its mockup (view 0), then each of its views (the storefront preview's
// `view` numbers), as {name, mockup_url, mockup_placement}.
export function areaViews(area) {
  return [{ name: area.name || area.key, mockup_url: area.mockup_url, mockup_placement: area.mockup_placement }, ...(area.views || [])];
}

export function drawMockup(canvas, area, layers, images, mockup, place = area.mockup_placement || {}) {
  const ctx = canvas.getContext("2d");
  const hasMockup = mockup && mockup.complete && mockup.naturalWidth && place.width;
  const width = hasMockup ? mockup.naturalWidth : 600;
  const height = hasMockup ? mockup.naturalHeight : Math.round((600 * area.height_mm) / area.width_mm);
  const k = Math.min(1, 640 / width);
  if (canvas.width !== Math.round(width * k) || canvas.height !== Math.round(height * k)) {
    canvas.width = Math.round(width * k);
    canvas.height = Math.round(height * k);
  }
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  if (!hasMockup) {
    const art = renderArea(area, layers, images, canvas.width / area.width_mm);
    ctx.drawImage(art, 0, 0, canvas.width, canvas.height);
    return;
  }
  ctx.drawImage(mockup, 0, 0, canvas.width, canvas.height);
  const x = Math.round(place.x * k);
  const y = Math.round(place.y * k);
  const w = Math.max(1, Math.round(place.width * k));
  const h = Math.max(1, Math.round(place.height * k));
  let art = place.cylinder ? around(area, layers, images, place.cylinder, w, h) : flat(area, layers, images, w, h);
  if (place.displacement) art = onFabric(ctx, art, x, y, place.displacement.strength_px * k);
  ctx.save();
  // On a mug or on fabric the print is multiplied onto the photo (as the server's preview is),
  // so the picture's shading stays on it.
  if (place.cylinder || place.displacement) ctx.globalCompositeOperation = "multiply";
  ctx.drawImage(art, x, y);
  ctx.restore();
}

function box(w, h) {
  const c = document.createElement("canvas");
  c.width = w;
  c.height = h;
  return c;
}

function flat(area, layers, images, w, h) {
  const out = box(w, h);
  out.getContext("2d").drawImage(renderArea(area, layers, images, w / area.width_mm), 0, 0, w, h);
  return out;
}

// The area bent around the product's body (app/design/raster.py _around): drawn flat at the
// finest scale shown, then column by column where asin maps it.
function around(area, layers, images, cylinder, width, height) {
  const scale = Math.max(centrePxPerMm(cylinder, width), height / area.height_mm);
  const art = renderArea(area, layers, images, scale);
  const perMm = art.width / area.width_mm;
  const out = box(width, height);
  const ctx = out.getContext("2d");
  for (let column = 0; column < width; column++) {
    const left = sourceMm(cylinder, (column / width) * 2 - 1, area.width_mm);
    const right = sourceMm(cylinder, ((column + 1) / width) * 2 - 1, area.width_mm);
    if (left === null || right === null) continue;
    const sx = left * perMm;
    ctx.drawImage(art, sx, 0, Math.max(0.5, right * perMm - sx), art.height, column, 0, 1, height);
  }
  return out;
}

// The print moved by the folds of the photo under it (app/design/displace.py, displace.js).
function onFabric(ctx, art, x, y, strength) {
  const { width, height } = art;
  let photo;
  try {
    photo = ctx.getImageData(x, y, width, height).data;
  } catch {
    return art; // a picture served without CORS cannot be read: the print stays flat
  }
  const offset = offsets(luminance(photo, width, height), width, height, strength);
  const artCtx = art.getContext("2d");
  const pixels = displaced(artCtx.getImageData(0, 0, width, height).data, width, height, offset);
  artCtx.putImageData(new ImageData(pixels, width, height), 0, 0);
  return art;
}

let viewerPromise = null;

export function loadViewer(url) {
  if (customElements.get("model-viewer")) return Promise.resolve();
  if (!viewerPromise) {
    viewerPromise = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = url;
      script.async = true;
      script.onload = () => customElements.whenDefined("model-viewer").then(resolve);
      script.onerror = () => {
        viewerPromise = null;
        reject(new Error("viewer"));
      };
      document.head.appendChild(script);
    });
  }
  return viewerPromise;
}

// The try-on asset (luneo-tryon.js, from Luneo): loaded only when the shopper opens it.
let tryOnPromise = null;
export function loadTryOn(url) {
  if (window.LuneoTryOn) return Promise.resolve(window.LuneoTryOn);
  if (!tryOnPromise) {
    tryOnPromise = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = url;
      script.async = true;
      script.onload = () => resolve(window.LuneoTryOn);
      script.onerror = () => {
        tryOnPromise = null;
        reject(new Error("tryon"));
      };
      document.head.appendChild(script);
    });
  }
  return tryOnPromise;
}

// The model's texture atlas as the server bakes it (app/design/models3d/view.py: model_view):
// the product colour, the fixed swatches, each area's art on its own rectangle (v runs up), so
// the design lands on the printable region only, never over a handle or a rim.
export async function textureModel(viewer, template, doc, images) {
  const view = template.model_view;
  const material = viewer.model && viewer.model.materials[0];
  if (!view || !material) return;
  const long = 1024;
  const width = view.atlas_aspect >= 1 ? long : Math.round(long * view.atlas_aspect);
  const height = view.atlas_aspect >= 1 ? Math.round(long / view.atlas_aspect) : long;
  const atlas = document.createElement("canvas");
  atlas.width = width;
  atlas.height = height;
  const ctx = atlas.getContext("2d");
  const rect = (r) => [r.u0 * width, (1 - r.v1) * height, (r.u1 - r.u0) * width, (r.v1 - r.v0) * height];
  ctx.fillStyle = view.color;
  ctx.fillRect(0, 0, width, height);
  for (const swatch of view.swatches || []) {
    ctx.fillStyle = swatch.color;
    ctx.fillRect(...rect(swatch));
  }
  for (const area of template.print_areas) {
    const place = view.areas[area.key];
    if (!place) continue;
    const layers = (doc.areas[area.key] || { layers: [] }).layers;
    const [x, y, w, h] = rect(place);
    ctx.drawImage(renderArea(area, layers, images, w / area.width_mm), x, y, w, h);
  }
  const texture = await viewer.createTexture(atlas.toDataURL("image/png"));
  material.pbrMetallicRoughness.baseColorTexture.setTexture(texture);
}
