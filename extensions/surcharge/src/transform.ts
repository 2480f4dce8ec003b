// What the function decides: which cart lines carry a signed surcharge, and the lineExpand
// operation that charges it. Pure (string in, string out) so that index.ts is only WASI I/O.

import { JValue, KIND_NUMBER, KIND_STRING, KIND_OBJECT, KIND_ARRAY, parse, parseBytes, quote } from "./json";
import { Hmac, fromHex, constantTimeEquals } from "./sha256";
import { Decimal, parseDecimal, add, multiply, format } from "./decimal";

export const NO_CHANGES = '{"operations":[]}';

const DESIGN = "_luneo_design";
const PRICE = "_luneo_price";
const PREVIEW = "_luneo_preview";

class Config {
  constructor(public key: Hmac, public imagePrefix: string) {}
}

/** The cart transform's `$app:luneo`/`config` metafield, or null when it is not a v1 config. */
function readConfig(input: JValue): Config | null {
  const transform = input.get("cartTransform");
  if (transform === null) return null;
  const metafield = transform.get("metafield");
  if (metafield === null) return null;
  const text = metafield.str("value");
  if (text === null) return null;
  const config = parse(text);
  if (config === null || config.kind != KIND_OBJECT) return null;
  const version = config.get("v");
  if (version === null || version.kind != KIND_NUMBER || version.text != "1") return null;
  const hex = config.str("key");
  if (hex === null || hex.length != 64) return null;
  const key = fromHex(hex);
  if (key === null) return null;
  let prefix = config.str("image_prefix");
  // An empty or non-https prefix would let any URL through: then no image at all.
  if (prefix === null || !prefix.startsWith("https://") || prefix.length <= 8) prefix = "";
  return new Config(new Hmac(key), prefix);
}

/** The attribute aliased `alias` on `line` (`design: attribute(key: "_luneo_design")`). */
function attribute(line: JValue, alias: string): string | null {
  const value = line.get(alias);
  if (value === null) return null;
  return value.str("value");
}

/** A decimal that arrives as a JSON string (the Decimal scalar) or, leniently, a number. */
function decimalOf(value: JValue | null): Decimal | null {
  if (value === null || (value.kind != KIND_STRING && value.kind != KIND_NUMBER)) return null;
  return parseDecimal(value.text);
}

function isSpace(c: i32): bool {
  return c == 0x20 || (c >= 0x09 && c <= 0x0d);
}

function isDigit(c: i32): bool {
  return c >= 0x30 && c <= 0x39;
}

/**
 * The amount `token` signs for `design`, or null. Exactly `surcharge_token.verify`:
 * "1:<1-9 digits>[.<1-3 digits>]:<3 capitals>:<64 lowercase hex>" around optional whitespace,
 * HMAC-SHA256(key, "1|<design>|<amount>|<currency>").
 */
export function verifiedAmount(key: Hmac, design: string, token: string): string | null {
  let start = 0;
  let end = token.length;
  while (start < end && isSpace(token.charCodeAt(start))) start++;
  while (end > start && isSpace(token.charCodeAt(end - 1))) end--;
  const parts = token.substring(start, end).split(":");
  if (parts.length != 4 || parts[0] != "1") return null;
  const amount = parts[1];
  const dot = amount.indexOf(".");
  const whole = dot < 0 ? amount : amount.substring(0, dot);
  const fraction = dot < 0 ? "" : amount.substring(dot + 1);
  if (whole.length < 1 || whole.length > 9) return null;
  if (dot >= 0 && (fraction.length < 1 || fraction.length > 3)) return null;
  for (let i = 0; i < whole.length; i++) if (!isDigit(whole.charCodeAt(i))) return null;
  for (let i = 0; i < fraction.length; i++) if (!isDigit(fraction.charCodeAt(i))) return null;
  const currency = parts[2];
  if (currency.length != 3) return null;
  for (let i = 0; i < 3; i++) {
    const c = currency.charCodeAt(i);
    if (c < 0x41 || c > 0x5a) return null;
  }
  const hex = parts[3];
  if (hex.length != 64) return null;
  for (let i = 0; i < 64; i++) {
    const c = hex.charCodeAt(i);
    if (!isDigit(c) && (c < 0x61 || c > 0x66)) return null; // lowercase only, as Python writes
  }
  const given = fromHex(hex);
  if (given === null) return null;
  const message = "1|" + design + "|" + amount + "|" + currency;
  const expected = key.digest(Uint8Array.wrap(String.UTF8.encode(message)));
  return constantTimeEquals(expected, given) ? amount : null;
}

/** The lineExpand operation for `line`, or null when the line is not a verified Luneo line. */
function operationFor(line: JValue, config: Config, rate: Decimal): string | null {
  const lineId = line.str("id");
  if (lineId === null) return null;
  const merchandise = line.get("merchandise");
  if (merchandise === null) return null;
  const typename = merchandise.get("__typename");
  if (typename === null || !typename.equals("ProductVariant")) return null;
  const variantId = merchandise.str("id");
  if (variantId === null) return null;
  const design = attribute(line, "design");
  const token = attribute(line, "price");
  if (design === null || design.length == 0 || token === null) return null;
  const amountText = verifiedAmount(config.key, design, token);
  if (amountText === null) return null;
  const amount = parseDecimal(amountText);
  const cost = line.get("cost");
  if (amount === null || cost === null) return null;
  const perQuantity = cost.get("amountPerQuantity");
  if (perQuantity === null) return null;
  const unitPrice = decimalOf(perQuantity.get("amount"));
  if (unitPrice === null) return null;
  const price = format(add(unitPrice, multiply(amount, rate)), 2);

  const attributes = new Array<string>();
  attributes.push('{"key":' + quote(DESIGN) + ',"value":' + quote(design) + "}");
  attributes.push('{"key":' + quote(PRICE) + ',"value":' + quote(token) + "}");
  const preview = attribute(line, "preview");
  let image = "";
  if (preview !== null) {
    attributes.push('{"key":' + quote(PREVIEW) + ',"value":' + quote(preview) + "}");
    if (config.imagePrefix.length > 0 && preview.startsWith(config.imagePrefix)) {
      image = ',"image":{"url":' + quote(preview) + "}";
    }
  }
  // One item of the same variant per unit of the line: Shopify multiplies an expanded item's
  // quantity by the line's, so the line keeps its quantity and each unit costs `price`.
  const item =
    '{"merchandiseId":' + quote(variantId) +
    ',"quantity":1' +
    ',"price":{"adjustment":{"fixedPricePerUnit":{"amount":' + quote(price) + "}}}" +
    ',"attributes":[' + attributes.join(",") + "]}";
  return '{"lineExpand":{"cartLineId":' + quote(lineId) + ',"expandedCartItems":[' + item + "]" + image + "}}";
}

/** The function's output JSON for the `length` bytes of input JSON at `base`; no operations
 *  for anything odd. */
export function transformBytes(base: usize, length: usize): string {
  const input = parseBytes(base, length);
  if (input === null || input.kind != KIND_OBJECT) return NO_CHANGES;
  const config = readConfig(input);
  if (config === null) return NO_CHANGES;
  const rate = decimalOf(input.get("presentmentCurrencyRate"));
  if (rate === null) return NO_CHANGES;
  const cart = input.get("cart");
  if (cart === null) return NO_CHANGES;
  const lines = cart.get("lines");
  if (lines === null || lines.kind != KIND_ARRAY) return NO_CHANGES;
  const operations = new Array<string>();
  for (let i = 0; i < lines.length; i++) {
    const line = lines.at(i);
    if (line.kind != KIND_OBJECT) continue;
    const operation = operationFor(line, config, rate);
    if (operation !== null) operations.push(operation);
  }
  return '{"operations":[' + operations.join(",") + "]}";
}
