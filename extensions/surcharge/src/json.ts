// A small, strict JSON reader and the string escaping the output needs. AssemblyScript has no
// exceptions, so every failure sets `failed` and the caller gets null: odd input never traps.

export const KIND_NULL: i32 = 0;
export const KIND_BOOL: i32 = 1;
export const KIND_NUMBER: i32 = 2; // `text` keeps the number exactly as written
export const KIND_STRING: i32 = 3;
export const KIND_ARRAY: i32 = 4;
export const KIND_OBJECT: i32 = 5;

const MAX_DEPTH: i32 = 64;

/**
 * One JSON value, read lazily: strings and numbers stay bytes of the input until `text` is asked
 * for, and object members are found by comparing key bytes. Shopify counts every instruction a
 * function runs, and most of the input is never looked at.
 */
export class JValue {
  kind: i32 = KIND_NULL;
  flag: bool = false;
  // strings and numbers: where their bytes are (a string's without its quotes)
  base: usize = 0;
  start: i32 = 0;
  end: i32 = 0;
  escaped: bool = false;
  decoded: string | null = null;
  items: Array<JValue> | null = null; // array elements; object members' values
  keys: Array<JValue> | null = null; // object members' keys (string values)

  /** A string's text (escapes resolved) or a number as written; "" for anything else. */
  get text(): string {
    if (this.kind != KIND_STRING && this.kind != KIND_NUMBER) return "";
    const cached = this.decoded;
    if (cached !== null) return cached;
    const decoded = this.escaped
      ? unescape(this.base, this.start, this.end)
      : String.UTF8.decodeUnsafe(this.base + <usize>this.start, <usize>(this.end - this.start));
    this.decoded = decoded;
    return decoded;
  }

  /** Whether this string value is exactly `word` (ASCII, compared byte by byte). */
  equals(word: string): bool {
    if (this.kind != KIND_STRING) return false;
    if (this.escaped) return this.text == word;
    if (this.end - this.start != word.length) return false;
    for (let i = 0; i < word.length; i++) {
      if (<i32>load<u8>(this.base + <usize>(this.start + i)) != word.charCodeAt(i)) return false;
    }
    return true;
  }

  get length(): i32 {
    const items = this.items;
    return items === null ? 0 : items.length;
  }

  at(index: i32): JValue {
    return (<Array<JValue>>this.items)[index];
  }

  /** The member `key` of an object (the last one when repeated), else null. */
  get(key: string): JValue | null {
    if (this.kind != KIND_OBJECT) return null;
    const keys = this.keys;
    const items = this.items;
    if (keys === null || items === null) return null;
    for (let i = keys.length - 1; i >= 0; i--) {
      if (unchecked(keys[i]).equals(key)) return unchecked(items[i]);
    }
    return null;
  }

  /** The member `key` when it is a string, else null. */
  str(key: string): string | null {
    const value = this.get(key);
    if (value === null || value.kind != KIND_STRING) return null;
    return value.text;
  }
}

function unescape(base: usize, start: i32, end: i32): string {
  const parts = new Array<string>();
  let plain = start;
  let at = start;
  while (at < end) {
    const c = <i32>load<u8>(base + <usize>at);
    if (c != 0x5c) {
      at++;
      continue;
    }
    if (plain < at) parts.push(String.UTF8.decodeUnsafe(base + <usize>plain, <usize>(at - plain)));
    const e = <i32>load<u8>(base + <usize>(at + 1));
    at += 2;
    if (e == 0x75) {
      parts.push(String.fromCharCode(hex4(base, at))); // surrogate halves pair up when joined
      at += 4;
    } else if (e == 0x62) parts.push("\b");
    else if (e == 0x66) parts.push("\f");
    else if (e == 0x6e) parts.push("\n");
    else if (e == 0x72) parts.push("\r");
    else if (e == 0x74) parts.push("\t");
    else parts.push(String.fromCharCode(e)); // " \ / (the reader allowed nothing else)
    plain = at;
  }
  if (plain < end) parts.push(String.UTF8.decodeUnsafe(base + <usize>plain, <usize>(end - plain)));
  return parts.join("");
}

function hexDigit(c: i32): i32 {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/** The four hex digits at `at` as a number, or -1. */
function hex4(base: usize, at: i32): i32 {
  let value = 0;
  for (let i = 0; i < 4; i++) {
    const d = hexDigit(<i32>load<u8>(base + <usize>(at + i)));
    if (d < 0) return -1;
    value = (value << 4) | d;
  }
  return value;
}

/** The JSON text `source`, or null when it is not exactly one JSON value. */
export function parse(source: string): JValue | null {
  const bytes = String.UTF8.encode(source);
  return parseBytes(changetype<usize>(bytes), <usize>bytes.byteLength);
}

/** The JSON value in the `length` UTF-8 bytes at `base`, or null. */
export function parseBytes(base: usize, length: usize): JValue | null {
  const reader = new Reader(base, <i32>length);
  reader.skipSpace();
  const value = reader.value(0);
  reader.skipSpace();
  if (reader.failed || value === null || reader.pos != reader.length) return null;
  return value;
}

// Reads UTF-8 bytes in place (no decoding of the whole input: Shopify counts every instruction).
class Reader {
  pos: i32 = 0;
  failed: bool = false;

  constructor(public base: usize, public length: i32) {}

  fail(): JValue | null {
    this.failed = true;
    return null;
  }

  @inline peek(): i32 {
    return this.pos < this.length ? <i32>load<u8>(this.base + <usize>this.pos) : -1;
  }

  skipSpace(): void {
    while (this.pos < this.length) {
      const c = <i32>load<u8>(this.base + <usize>this.pos);
      if (c != 0x20 && c != 0x09 && c != 0x0a && c != 0x0d) break;
      this.pos++;
    }
  }

  literal(word: string): bool {
    if (this.pos + word.length > this.length) return false;
    for (let i = 0; i < word.length; i++) {
      if (<i32>load<u8>(this.base + <usize>(this.pos + i)) != word.charCodeAt(i)) return false;
    }
    this.pos += word.length;
    return true;
  }

  value(depth: i32): JValue | null {
    if (depth > MAX_DEPTH) return this.fail();
    const c = this.peek();
    if (c == 0x7b) return this.object(depth);
    if (c == 0x5b) return this.array(depth);
    if (c == 0x22) return this.string();
    const out = new JValue();
    if (c == 0x74 && this.literal("true")) {
      out.kind = KIND_BOOL;
      out.flag = true;
      return out;
    }
    if (c == 0x66 && this.literal("false")) {
      out.kind = KIND_BOOL;
      return out;
    }
    if (c == 0x6e && this.literal("null")) return out;
    if (c == 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
    return this.fail();
  }

  digits(): i32 {
    const start = this.pos;
    while (this.peek() >= 0x30 && this.peek() <= 0x39) this.pos++;
    return this.pos - start;
  }

  number(): JValue | null {
    const start = this.pos;
    if (this.peek() == 0x2d) this.pos++;
    const first = this.peek();
    const count = this.digits();
    if (count == 0 || (first == 0x30 && count > 1)) return this.fail();
    if (this.peek() == 0x2e) {
      this.pos++;
      if (this.digits() == 0) return this.fail();
    }
    if (this.peek() == 0x65 || this.peek() == 0x45) {
      this.pos++;
      if (this.peek() == 0x2b || this.peek() == 0x2d) this.pos++;
      if (this.digits() == 0) return this.fail();
    }
    const out = new JValue();
    out.kind = KIND_NUMBER;
    out.base = this.base;
    out.start = start;
    out.end = this.pos;
    return out;
  }

  /** A string value, its escapes checked (resolved only if its text is asked for). */
  string(): JValue | null {
    const base = this.base;
    const length = this.length;
    let at = this.pos + 1; // past the opening quote
    const start = at;
    let escaped = false;
    while (true) {
      if (at >= length) return this.fail();
      const c = <i32>load<u8>(base + <usize>at);
      if (c == 0x22) break;
      if (c < 0x20) return this.fail();
      if (c == 0x5c) {
        if (at + 1 >= length) return this.fail();
        const e = <i32>load<u8>(base + <usize>(at + 1));
        if (e == 0x75) {
          if (at + 6 > length || hex4(base, at + 2) < 0) return this.fail();
          at += 4;
        } else if (
          e != 0x22 && e != 0x5c && e != 0x2f && e != 0x62 && e != 0x66 && e != 0x6e &&
          e != 0x72 && e != 0x74
        ) {
          return this.fail();
        }
        escaped = true;
        at += 2;
        continue;
      }
      at++;
    }
    this.pos = at + 1; // past the closing quote
    const out = new JValue();
    out.kind = KIND_STRING;
    out.base = base;
    out.start = start;
    out.end = at;
    out.escaped = escaped;
    return out;
  }

  array(depth: i32): JValue | null {
    this.pos++;
    const out = new JValue();
    out.kind = KIND_ARRAY;
    const items = new Array<JValue>();
    out.items = items;
    this.skipSpace();
    if (this.peek() == 0x5d) {
      this.pos++;
      return out;
    }
    while (true) {
      this.skipSpace();
      const item = this.value(depth + 1);
      if (item === null) return this.fail();
      items.push(item);
      this.skipSpace();
      const c = this.peek();
      this.pos++;
      if (c == 0x5d) return out;
      if (c != 0x2c) return this.fail();
    }
  }

  object(depth: i32): JValue | null {
    this.pos++;
    const out = new JValue();
    out.kind = KIND_OBJECT;
    const keys = new Array<JValue>();
    const items = new Array<JValue>();
    out.keys = keys;
    out.items = items;
    this.skipSpace();
    if (this.peek() == 0x7d) {
      this.pos++;
      return out;
    }
    while (true) {
      this.skipSpace();
      if (this.peek() != 0x22) return this.fail();
      const key = this.string();
      if (key === null) return this.fail();
      this.skipSpace();
      if (this.peek() != 0x3a) return this.fail();
      this.pos++;
      this.skipSpace();
      const item = this.value(depth + 1);
      if (item === null) return this.fail();
      keys.push(key);
      items.push(item);
      this.skipSpace();
      const c = this.peek();
      this.pos++;
      if (c == 0x7d) return out;
      if (c != 0x2c) return this.fail();
    }
  }
}

const HEX = "0123456789abcdef";

/** `text` as a JSON string literal, quotes included. */
export function quote(text: string): string {
  const parts = new Array<string>();
  parts.push('"');
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x20 && c != 0x22 && c != 0x5c) continue;
    parts.push(text.substring(start, i));
    if (c == 0x22) parts.push('\\"');
    else if (c == 0x5c) parts.push("\\\\");
    else if (c == 0x0a) parts.push("\\n");
    else if (c == 0x0d) parts.push("\\r");
    else if (c == 0x09) parts.push("\\t");
    else parts.push("\\u00" + HEX.charAt(c >> 4) + HEX.charAt(c & 15));
    start = i + 1;
  }
  parts.push(text.substring(start));
  parts.push('"');
  return parts.join("");
}
