// The live previews: the 2D mockup (client-side canvas, redrawn on every change) and the 3D model
// (the GLB with the artwork as its texture), whose viewer asset loads only when asked for.
import { renderArea } from "./render.js";

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
  if (hasMockup) {
    ctx.drawImage(mockup, 0, 0, canvas.width, canvas.height);
    const art = renderArea(area, layers, images, (place.width * k) / area.width_mm);
    ctx.drawImage(art, place.x * k, place.y * k, place.width * k, place.height * k);
  } else {
    const art = renderArea(area, layers, images, canvas.width / area.width_mm);
    ctx.drawImage(art, 0, 0, canvas.width, canvas.height);
  }
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

// Where an area goes on the model's texture: the template's uv_region (fractions), else all of it.
function uvRect(region, size) {
  const r = region || {};
  const x0 = r.u0 ?? r.x ?? 0;
  const y0 = r.v0 ?? r.y ?? 0;
  const x1 = r.u1 ?? (r.width !== undefined ? x0 + r.width : 1);
  const y1 = r.v1 ?? (r.height !== undefined ? y0 + r.height : 1);
  return [x0 * size, y0 * size, (x1 - x0) * size, (y1 - y0) * size];
}

export async function textureModel(viewer, template, doc, images) {
  const size = 1024;
  const atlas = document.createElement("canvas");
  atlas.width = atlas.height = size;
  const ctx = atlas.getContext("2d");
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, size, size);
  for (const area of template.print_areas) {
    const layers = (doc.areas[area.key] || { layers: [] }).layers;
    const [x, y, w, h] = uvRect(area.uv_region, size);
    ctx.drawImage(renderArea(area, layers, images, w / area.width_mm), x, y, w, h);
  }
  const material = viewer.model && viewer.model.materials[0];
  if (!material) return;
  const texture = await viewer.createTexture(atlas.toDataURL("image/png"));
  material.pbrMetallicRoughness.baseColorTexture.setTexture(texture);
}
