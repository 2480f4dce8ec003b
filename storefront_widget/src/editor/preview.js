// The live previews: the 2D mockup (client-side canvas, redrawn on every change) and the 3D model
// (the GLB with the artwork as its texture), whose viewer asset loads only when asked for.
import { renderArea } from "./render.js";
import { centrePxPerMm, sourceMm } from "./warp.js";

export function drawMockup(canvas, area, layers, images, mockup) {
  const ctx = canvas.getContext("2d");
  const place = area.mockup_placement || {};
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
  if (hasMockup && place.cylinder) {
    ctx.drawImage(mockup, 0, 0, canvas.width, canvas.height);
    drawAround(ctx, area, layers, images, place, k);
  } else if (hasMockup) {
    ctx.drawImage(mockup, 0, 0, canvas.width, canvas.height);
    const art = renderArea(area, layers, images, (place.width * k) / area.width_mm);
    ctx.drawImage(art, place.x * k, place.y * k, place.width * k, place.height * k);
  } else {
    const art = renderArea(area, layers, images, canvas.width / area.width_mm);
    ctx.drawImage(art, 0, 0, canvas.width, canvas.height);
  }
}

// The area bent around the product's body (app/design/raster.py _around): drawn flat at the
// finest scale shown, then column by column where asin maps it; printed on (multiplied) as the
// server's preview is, so the mockup's shading stays on the print.
function drawAround(ctx, area, layers, images, place, k) {
  const width = Math.max(1, Math.round(place.width * k));
  const height = Math.max(1, Math.round(place.height * k));
  const scale = Math.max(centrePxPerMm(place.cylinder, width), height / area.height_mm);
  const flat = renderArea(area, layers, images, scale);
  const perMm = flat.width / area.width_mm;
  const x0 = Math.round(place.x * k);
  const y0 = Math.round(place.y * k);
  ctx.save();
  ctx.globalCompositeOperation = "multiply";
  for (let column = 0; column < width; column++) {
    const left = sourceMm(place.cylinder, (column / width) * 2 - 1, area.width_mm);
    const right = sourceMm(place.cylinder, ((column + 1) / width) * 2 - 1, area.width_mm);
    if (left === null || right === null) continue;
    const sx = left * perMm;
    ctx.drawImage(flat, sx, 0, Math.max(0.5, right * perMm - sx), flat.height, x0 + column, y0, 1, height);
  }
  ctx.restore();
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
