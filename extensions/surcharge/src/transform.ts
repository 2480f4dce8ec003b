// What the function decides: which cart lines carry a surcharge Luneo signed, and the lineExpand
// operation that charges it. Input bytes in, output bytes out; index.ts does the WASI I/O.

import { Bytes, JValue, KIND_NUMBER, KIND_STRING, KIND_OBJECT, KIND_ARRAY, Writer, lit, parse } from "./json";
import { Hmac, constantTimeEquals } from "./sha256";
import { Decimal, parseDecimal, add, multiply, format } from "./decimal";

const NO_CHANGES = '{"operations":[]}';
// The output's fixed parts, as bytes once (lineExpand, API 2026-07's CartTransformRunResult).
const COMMA = lit(",");
const OPEN = lit('{"lineExpand":{"cartLineId":');
const ITEM = lit(',"expandedCartItems":[{"merchandiseId":');
const PRICE = lit(',"quantity":1,"price":{"adjustment":{"fixedPricePerUnit":{"amount":"');
const DESIGN = lit('"}}},"attributes":[{"key":"_luneo_design","value":');
const TOKEN = lit('},{"key":"_luneo_price","value":');
const PREVIEW = lit(',{"key":"_luneo_preview","value":');
const CLOSE = lit("}");
const ITEMS_END = lit("]}]");
const IMAGE = lit(',"image":{"url":');
const OPERATION_END = lit("}}");

class Config {
  constructor(public key: Hmac, public imagePrefix: Bytes | null) {}
}

function hexDigit(c: i32): i32 {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  return -1; // lowercase only: what Python's hexdigest writes
}

/** 64 lowercase hex digits as 32 bytes, or null. */
function key32(hex: Bytes): Uint8Array | null {
  if (hex.length != 64) return null;
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) {
    const hi = hexDigit(hex.at(2 * i));
    const lo = hexDigit(hex.at(2 * i + 1));
    if (hi < 0 || lo < 0) return null;
    unchecked((out[i] = <u8>((hi << 4) | lo)));
  }
  return out;
}

/** The cart transform's `$app:luneo`/`config` metafield, or null when it is not a v1 config. */
function readConfig(input: JValue): Config | null {
  const transform = input.get("cartTransform");
  if (transform === null) return null;
  const metafield = transform.get("metafield");
  if (metafield === null) return null;
  const value = metafield.string("value");
  if (value === null) return null;
  const config = parse(value.bytes());
  if (config === null || config.kind != KIND_OBJECT) return null;
  const version = config.get("v");
  if (version === null || version.kind != KIND_NUMBER || !version.bytes().equals("1")) return null;
  const hex = config.string("key");
  if (hex === null) return null;
  const key = key32(hex.bytes());
  if (key === null) return null;
  // An empty or non-https prefix would let any URL through: then no image at all.
  const prefix = config.string("image_prefix");
  let imagePrefix: Bytes | null = null;
  if (prefix !== null) {
    const bytes = prefix.bytes();
    if (bytes.length > 8 && bytes.slice(0, 8).equals("https://")) imagePrefix = bytes;
  }
  return new Config(new Hmac(key), imagePrefix);
}

/** The value of the attribute aliased `alias` on `line` (`design: attribute(key: ...)`). */
function attribute(line: JValue, alias: string): JValue | null {
  const value = line.get(alias);
  return value === null ? null : value.string("value");
}

/** A decimal that arrives as a JSON string (the Decimal scalar) or, leniently, a number. */
function decimalOf(value: JValue | null): Decimal | null {
  if (value === null || (value.kind != KIND_STRING && value.kind != KIND_NUMBER)) return null;
  return parseDecimal(value.bytes());
}

/** Python's str.isspace() for a code point: what `surcharge_token.verify` strips. */
function isSpace(c: i32): bool {
  if (c < 0x80) return c == 0x20 || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f);
  return (
    c == 0x85 || c == 0xa0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 ||
    c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000
  );
}

/** The code point starting at byte `at` of valid UTF-8 (the input is; Shopify sends UTF-8). */
function codePoint(text: Bytes, at: i32): i32 {
  const b = text.at(at);
  if (b < 0x80) return b;
  if (b < 0xe0 && at + 1 < text.length) return ((b & 0x1f) << 6) | (text.at(at + 1) & 0x3f);
  if (b < 0xf0 && at + 2 < text.length) {
    return ((b & 0x0f) << 12) | ((text.at(at + 1) & 0x3f) << 6) | (text.at(at + 2) & 0x3f);
  }
  return -1; // 4-byte sequences hold no whitespace
}

@inline function width(c: i32): i32 {
  return c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
}

@inline function isDigit(c: i32): bool {
  return c >= 0x30 && c <= 0x39;
}

/**
 * The amount `token` signs for `design`, or null. Exactly `surcharge_token.verify`:
 * "1:<1-9 digits>[.<1-3 digits>]:<3 capitals>:<64 lowercase hex>" inside optional whitespace,
 * HMAC-SHA256(key, "1|<design>|<amount>|<currency>").
 */
function verifiedAmount(key: Hmac, design: Bytes, token: Bytes): Bytes | null {
  let start = 0;
  let end = token.length;
  while (start < end) {
    const c = codePoint(token, start);
    if (c < 0 || !isSpace(c)) break;
    start += width(c);
  }
  while (end > start) {
    let lead = end - 1;
    while (lead > start && (token.at(lead) & 0xc0) == 0x80) lead--;
    const c = codePoint(token, lead);
    if (c < 0 || !isSpace(c) || lead + width(c) != end) break;
    end = lead;
  }
  // 1 ":" amount ":" currency ":" 64 hex
  if (end - start < 2 + 1 + 1 + 3 + 1 + 64) return null;
  if (token.at(start) != 0x31 || token.at(start + 1) != 0x3a) return null;
  const signature = token.slice(end - 64, end);
  if (token.at(end - 65) != 0x3a) return null;
  const currency = token.slice(end - 68, end - 65);
  if (token.at(end - 69) != 0x3a) return null;
  const amount = token.slice(start + 2, end - 69);
  for (let i = 0; i < 3; i++) {
    const c = currency.at(i);
    if (c < 0x41 || c > 0x5a) return null;
  }
  let whole = 0;
  let fraction = -1; // digits after the point; -1: no point
  for (let i = 0; i < amount.length; i++) {
    const c = amount.at(i);
    if (c == 0x2e && fraction < 0) fraction = 0;
    else if (!isDigit(c)) return null;
    else if (fraction < 0) whole++;
    else fraction++;
  }
  if (whole < 1 || whole > 9 || fraction == 0 || fraction > 3) return null;
  const given = key32(signature);
  if (given === null) return null;

  const length = 2 + design.length + 1 + amount.length + 1 + 3;
  const message = new Uint8Array(length);
  const at = message.dataStart;
  store<u16>(at, 0x7c31); // "1|"
  memory.copy(at + 2, design.ptr, <usize>design.length);
  let n: usize = 2 + <usize>design.length;
  store<u8>(at + n++, 0x7c);
  memory.copy(at + n, amount.ptr, <usize>amount.length);
  n += <usize>amount.length;
  store<u8>(at + n++, 0x7c);
  memory.copy(at + n, currency.ptr, 3);
  return constantTimeEquals(key.digest(message), given) ? amount : null;
}

/** Writes the lineExpand operation for `line`; false when the line is not a signed Luneo line. */
function writeOperation(line: JValue, config: Config, rate: Decimal, out: Writer, first: bool): bool {
  const lineId = line.string("id");
  if (lineId === null) return false;
  const design = attribute(line, "design");
  const token = attribute(line, "price");
  if (design === null || token === null || design.bytes().length == 0) return false;
  const merchandise = line.get("merchandise");
  if (merchandise === null) return false;
  const typename = merchandise.get("__typename");
  if (typename === null || !typename.equals("ProductVariant")) return false;
  const variantId = merchandise.string("id");
  if (variantId === null) return false;
  const cost = line.get("cost");
  if (cost === null) return false;
  const perQuantity = cost.get("amountPerQuantity");
  if (perQuantity === null) return false;
  const unitPrice = decimalOf(perQuantity.get("amount"));
  if (unitPrice === null) return false;
  const amountBytes = verifiedAmount(config.key, design.bytes(), token.bytes());
  if (amountBytes === null) return false;
  const amount = parseDecimal(amountBytes);
  if (amount === null) return false;

  // One item of the same variant per unit of the line: Shopify multiplies an expanded item's
  // quantity by the line's, so the line keeps its quantity and each unit costs the new price.
  if (!first) out.bytes(COMMA);
  out.bytes(OPEN).bytes(lineId.literal());
  out.bytes(ITEM).bytes(variantId.literal());
  out.bytes(PRICE);
  format(add(unitPrice, multiply(amount, rate)), 2, out);
  out.bytes(DESIGN).bytes(design.literal());
  out.bytes(TOKEN).bytes(token.literal()).bytes(CLOSE);
  const preview = attribute(line, "preview");
  if (preview !== null) out.bytes(PREVIEW).bytes(preview.literal()).bytes(CLOSE);
  out.bytes(ITEMS_END);
  const prefix = config.imagePrefix;
  if (preview !== null && prefix !== null && preview.bytes().startsWith(prefix)) {
    out.bytes(IMAGE).bytes(preview.literal()).bytes(CLOSE);
  }
  out.bytes(OPERATION_END);
  return true;
}

/** The function's output for the input JSON `source`; no operations for anything odd. */
export function transform(source: Bytes): Writer {
  const out = new Writer();
  const input = parse(source);
  if (input === null || input.kind != KIND_OBJECT) return out.ascii(NO_CHANGES);
  const config = readConfig(input);
  if (config === null) return out.ascii(NO_CHANGES);
  const rate = decimalOf(input.get("presentmentCurrencyRate"));
  if (rate === null) return out.ascii(NO_CHANGES);
  const cart = input.get("cart");
  if (cart === null) return out.ascii(NO_CHANGES);
  const lines = cart.get("lines");
  if (lines === null || lines.kind != KIND_ARRAY) return out.ascii(NO_CHANGES);
  out.ascii('{"operations":[');
  let first = true;
  for (let i = 0; i < lines.length; i++) {
    const line = lines.at(i);
    if (line.kind == KIND_OBJECT && writeOperation(line, config, rate, out, first)) first = false;
  }
  return out.ascii("]}");
}
