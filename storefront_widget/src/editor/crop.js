// Cropping a photo on the canvas: a handle on each side of the selected picture's box; dragging
// one moves that side of the box and crops (or uncrops) the picture by as much, the rest of the
// picture staying exactly where it is. The part cropped away shows faded around the box while
// cropping. Sides are the box's as the shopper sees them (before the layer's rotation); the
// picture's own quarter turn and flips decide which edge of the picture that is. The sliders in
// the photo tools are the keyboard way to the same crop.
import { drawOriented } from "./photo_tools.js";

const SIDES = ["left", "right", "top", "bottom"];
const MIN = 0.05; // the smallest crop, as a fraction of the picture
const round = (n) => Math.round(n * 10000) / 10000;

// A box side to the picture's edge under it: undo the flips (applied last), then the turn.
const UNTURN = { 90: { top: "left", right: "top", bottom: "right", left: "bottom" },
  180: { top: "bottom", right: "left", bottom: "top", left: "right" },
  270: { top: "right", right: "bottom", bottom: "left", left: "top" } };
export function pictureEdge(layer, side) {
  let s = side;
  if (layer.flip_x && (s === "left" || s === "right")) s = s === "left" ? "right" : "left";
  if (layer.flip_y && (s === "top" || s === "bottom")) s = s === "top" ? "bottom" : "top";
  const turn = UNTURN[layer.turn || 0];
  return turn ? turn[s] : s;
}

const horizontal = (side) => side === "left" || side === "right";

// The crop as fractions of the picture (a crop in pixels, from older designs, converted).
export function fractionCrop(layer, size) {
  const c = layer.crop;
  if (!c) return { x: 0, y: 0, width: 1, height: 1 };
  if (c.unit !== "px") return { x: c.x, y: c.y, width: c.width, height: c.height };
  const [iw, ih] = size;
  return { x: c.x / iw, y: c.y / ih, width: c.width / iw, height: c.height / ih };
}

// Millimetres of the box per whole picture along a box side's axis.
function mmPerPicture(layer, side, crop) {
  const edge = pictureEdge(layer, side);
  const boxSize = horizontal(side) ? layer.width_mm : layer.height_mm;
  return boxSize / (horizontal(edge) ? crop.width : crop.height);
}

// How far (mm) each side of the box could move out before reaching the picture's edge.
export function uncropped(layer, size) {
  const c = fractionCrop(layer, size);
  const room = { left: c.x, right: 1 - c.x - c.width, top: c.y, bottom: 1 - c.y - c.height };
  return Object.fromEntries(SIDES.map((side) => [side, room[pictureEdge(layer, side)] * mmPerPicture(layer, side, c)]));
}

// `start` (the layer when the drag began) with `side` of its box moved `d` mm inwards (negative:
// outwards), as the fields to assign: crop, and the box's size and place. The picture's scale and
// position on the area do not change; the crop stops at the picture's edges and at MIN.
export function moveSide(start, side, d, size) {
  const c = fractionCrop(start, size);
  const edge = pictureEdge(start, side);
  const k = mmPerPicture(start, side, c);
  const along = horizontal(edge) ? "width" : "height";
  const at = horizontal(edge) ? "x" : "y";
  const low = edge === "left" || edge === "top";
  // The most the crop may shrink (to MIN) or grow (to the picture's edge) on that edge.
  const most = c[along] - MIN;
  const least = low ? -c[at] : -(1 - c[at] - c[along]);
  const df = Math.min(most, Math.max(least, d / k));
  const crop = { ...c, [along]: round(c[along] - df) };
  if (low) crop[at] = round(c[at] + df);
  const moved = df * k;
  const box = horizontal(side) ? { width_mm: start.width_mm - moved, height_mm: start.height_mm } : { width_mm: start.width_mm, height_mm: start.height_mm - moved };
  // The opposite side stays put: the centre moves half-way, along the rotated box's axis.
  const a = ((start.rotation_deg || 0) * Math.PI) / 180;
  const sign = side === "left" || side === "top" ? 1 : -1;
  const [ux, uy] = horizontal(side) ? [Math.cos(a), Math.sin(a)] : [-Math.sin(a), Math.cos(a)];
  const cx = start.x_mm + start.width_mm / 2 + (sign * moved * ux) / 2;
  const cy = start.y_mm + start.height_mm / 2 + (sign * moved * uy) / 2;
  const full = crop.x <= 0 && crop.y <= 0 && crop.width >= 1 && crop.height >= 1;
  return { crop: full ? undefined : crop, ...box, x_mm: cx - box.width_mm / 2, y_mm: cy - box.height_mm / 2 };
}

// Mid-points of the box's sides in stage pixels (area origin), and each side's inward direction.
export function sideHandles(layer, s) {
  const a = ((layer.rotation_deg || 0) * Math.PI) / 180;
  const cx = layer.x_mm + layer.width_mm / 2;
  const cy = layer.y_mm + layer.height_mm / 2;
  const u = [Math.cos(a), Math.sin(a)];
  const v = [-Math.sin(a), Math.cos(a)];
  const hw = layer.width_mm / 2;
  const hh = layer.height_mm / 2;
  const at = (dx, dy) => [(cx + dx * u[0] + dy * v[0]) * s, (cy + dx * u[1] + dy * v[1]) * s];
  return {
    left: { at: at(-hw, 0), inward: u, axis: v },
    right: { at: at(hw, 0), inward: [-u[0], -u[1]], axis: v },
    top: { at: at(0, -hh), inward: v, axis: u },
    bottom: { at: at(0, hh), inward: [-v[0], -v[1]], axis: u },
  };
}

// The side whose handle is within `reach` stage pixels of (px, py), or null.
export function sideAt(layer, s, px, py, reach) {
  const handles = sideHandles(layer, s);
  for (const side of SIDES) {
    const [x, y] = handles[side].at;
    if (Math.hypot(x - px, y - py) <= reach) return side;
  }
  return null;
}

// While cropping: the whole picture faded where it is cropped away, then a bar on each side.
export function drawCropping(ctx, layer, s, image, accent) {
  const size = [image.naturalWidth, image.naturalHeight];
  if (!size[0]) return;
  const room = uncropped(layer, size);
  const a = ((layer.rotation_deg || 0) * Math.PI) / 180;
  ctx.save();
  ctx.translate((layer.x_mm + layer.width_mm / 2) * s, (layer.y_mm + layer.height_mm / 2) * s);
  ctx.rotate(a);
  const x0 = (-layer.width_mm / 2 - room.left) * s;
  const y0 = (-layer.height_mm / 2 - room.top) * s;
  const w = (layer.width_mm + room.left + room.right) * s;
  const hgt = (layer.height_mm + room.top + room.bottom) * s;
  ctx.globalAlpha = 0.35;
  drawOriented(ctx, image, [0, 0, size[0], size[1]], x0, y0, w, hgt, layer);
  ctx.globalAlpha = 1;
  ctx.setLineDash([4, 3]);
  ctx.strokeStyle = "rgba(17,24,39,.6)";
  ctx.lineWidth = 1;
  ctx.strokeRect(x0, y0, w, hgt);
  ctx.restore();
  ctx.save();
  ctx.lineCap = "round";
  const handles = sideHandles(layer, s);
  for (const side of SIDES) {
    const { at, axis } = handles[side];
    const half = 12;
    for (const [width, colour] of [[8, "#ffffff"], [4, accent]]) {
      ctx.lineWidth = width;
      ctx.strokeStyle = colour;
      ctx.beginPath();
      ctx.moveTo(at[0] - axis[0] * half, at[1] - axis[1] * half);
      ctx.lineTo(at[0] + axis[0] * half, at[1] + axis[1] * half);
      ctx.stroke();
    }
  }
  ctx.restore();
}
