// Photos are decoded on the device (EXIF orientation applied), scaled down to what the print area
// can use at its print DPI (and never above 4096 px), and uploaded as JPEG (PNG when transparent).
const MAX_EDGE = 4096;

async function decode(file) {
  if (window.createImageBitmap) {
    try {
      return await createImageBitmap(file, { imageOrientation: "from-image" });
    } catch (err) {
      /* fall back to an <img> below (e.g. formats createImageBitmap refuses) */
    }
  }
  const url = URL.createObjectURL(file);
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    return img;
  } finally {
    URL.revokeObjectURL(url);
  }
}

export function targetEdge(area) {
  const longest = Math.max(area.width_mm, area.height_mm) + 2 * (area.bleed_mm || 0);
  return Math.min(MAX_EDGE, Math.ceil((longest / 25.4) * (area.dpi || 300)));
}

// Returns {blob, filename, width, height}; the original file when it is small enough already.
export async function prepare(file, area) {
  let bitmap;
  try {
    bitmap = await decode(file);
  } catch (err) {
    return { blob: file, filename: file.name, width: 0, height: 0 };
  }
  const width = bitmap.width;
  const height = bitmap.height;
  const limit = targetEdge(area);
  const k = Math.min(1, limit / Math.max(width, height));
  const transparent = /png|webp|gif/.test(file.type);
  if (k === 1 && file.size < 8 * 1024 * 1024 && /jpe?g|png|webp/.test(file.type)) {
    if (bitmap.close) bitmap.close();
    return { blob: file, filename: file.name, width, height };
  }
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, Math.round(width * k));
  canvas.height = Math.max(1, Math.round(height * k));
  const ctx = canvas.getContext("2d");
  ctx.imageSmoothingQuality = "high";
  ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  if (bitmap.close) bitmap.close();
  const type = transparent ? "image/png" : "image/jpeg";
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, type, 0.92));
  const base = (file.name || "photo").replace(/\.[^.]+$/, "");
  return { blob: blob || file, filename: base + (transparent ? ".png" : ".jpg"), width: canvas.width, height: canvas.height };
}
