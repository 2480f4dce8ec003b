// A small, strict JSON reader working on the input's UTF-8 bytes in place, and a byte writer for
// the output. Shopify counts every Wasm instruction a function runs: strings stay bytes of the
// input until their text is needed, and values copied from input to output are copied as bytes.
// AssemblyScript has no exceptions: a failure makes the reader answer null, never trap.

export const KIND_NULL: i32 = 0;
export const KIND_BOOL: i32 = 1;
export const KIND_NUMBER: i32 = 2;
export const KIND_STRING: i32 = 3;
export const KIND_ARRAY: i32 = 4;
export const KIND_OBJECT: i32 = 5;

const MAX_DEPTH: i32 = 64;

/** `length` bytes at `ptr`. */
export class Bytes {
  constructor(public ptr: usize, public length: i32) {}

  @inline at(index: i32): i32 {
    return <i32>load<u8>(this.ptr + <usize>index);
  }

  /** Whether these bytes are exactly the ASCII `word`. */
  equals(word: string): bool {
    if (this.length != word.length) return false;
    for (let i = 0; i < this.length; i++) {
      if (this.at(i) != word.charCodeAt(i)) return false;
    }
    return true;
  }

  startsWith(prefix: Bytes): bool {
    if (prefix.length > this.length) return false;
    return memory.compare(this.ptr, prefix.ptr, <usize>prefix.length) == 0;
  }

  slice(start: i32, end: i32): Bytes {
    return new Bytes(this.ptr + <usize>start, end - start);
  }

  toString(): string {
    return String.UTF8.decodeUnsafe(this.ptr, <usize>this.length);
  }
}

export class JValue {
  kind: i32 = KIND_NULL;
  flag: bool = false;
  escaped: bool = false;
  // strings and numbers: where their bytes are in the input (a string's without its quotes)
  ptr: usize = 0;
  size: i32 = 0;
  unescaped: Bytes | null = null;
  items: Array<JValue> | null = null; // array elements; object members' values
  // object members' keys: the input offset and length of each, in pairs (keys are not values:
  // no allocation each; a key written with escapes never matches, which only hides a member)
  keys: Array<i32> | null = null;
  base: usize = 0; // what the key offsets count from

  /** A string's UTF-8 bytes with escapes resolved, a number's as written; empty otherwise. */
  bytes(): Bytes {
    if (!this.escaped) return new Bytes(this.ptr, this.size);
    let done = this.unescaped;
    if (done === null) {
      done = unescape(new Bytes(this.ptr, this.size));
      this.unescaped = done;
    }
    return done;
  }

  /** The JSON text of this string exactly as the input wrote it, quotes included. */
  literal(): Bytes {
    return new Bytes(this.ptr - 1, this.size + 2);
  }

  equals(word: string): bool {
    if (this.kind != KIND_STRING) return false;
    if (this.escaped) return this.bytes().equals(word);
    return sameAscii(this.ptr, this.size, word);
  }

  get length(): i32 {
    const items = this.items;
    return items === null ? 0 : items.length;
  }

  at(index: i32): JValue {
    return unchecked((<Array<JValue>>this.items)[index]);
  }

  /** The member `key` of an object (the last one when repeated), else null. */
  get(key: string): JValue | null {
    if (this.kind != KIND_OBJECT) return null;
    const keys = <Array<i32>>this.keys;
    for (let i = (keys.length >> 1) - 1; i >= 0; i--) {
      const at = this.base + <usize>unchecked(keys[2 * i]);
      if (sameAscii(at, unchecked(keys[2 * i + 1]), key)) return this.at(i);
    }
    return null;
  }

  /** The member `key` when it is a string, else null. */
  string(key: string): JValue | null {
    const value = this.get(key);
    return value !== null && value.kind == KIND_STRING ? value : null;
  }
}

/** Whether the `size` bytes at `ptr` are the ASCII `word`. */
function sameAscii(ptr: usize, size: i32, word: string): bool {
  if (size != word.length) return false;
  const chars = changetype<usize>(word); // UTF-16 code units
  for (let i = 0; i < size; i++) {
    if (<u16>load<u8>(ptr + <usize>i) != load<u16>(chars + (<usize>i << 1))) return false;
  }
  return true;
}

function hexDigit(c: i32): i32 {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/** The four hex digits at `at`, or -1. */
function hex4(ptr: usize, at: i32): i32 {
  let value = 0;
  for (let i = 0; i < 4; i++) {
    const d = hexDigit(<i32>load<u8>(ptr + <usize>(at + i)));
    if (d < 0) return -1;
    value = (value << 4) | d;
  }
  return value;
}

/** A checked string body's escapes resolved into fresh UTF-8 bytes. */
function unescape(raw: Bytes): Bytes {
  const out = heap.alloc(<usize>raw.length); // never longer than the escaped form
  let n: usize = 0;
  let at = 0;
  while (at < raw.length) {
    const c = raw.at(at);
    if (c != 0x5c) {
      store<u8>(out + n++, c);
      at++;
      continue;
    }
    const e = raw.at(at + 1);
    at += 2;
    if (e != 0x75) {
      let byte = e; // " \ /
      if (e == 0x62) byte = 0x08;
      else if (e == 0x66) byte = 0x0c;
      else if (e == 0x6e) byte = 0x0a;
      else if (e == 0x72) byte = 0x0d;
      else if (e == 0x74) byte = 0x09;
      store<u8>(out + n++, byte);
      continue;
    }
    let point = hex4(raw.ptr, at);
    at += 4;
    if (
      point >= 0xd800 && point < 0xdc00 && at + 6 <= raw.length &&
      raw.at(at) == 0x5c && raw.at(at + 1) == 0x75
    ) {
      const low = hex4(raw.ptr, at + 2);
      if (low >= 0xdc00 && low < 0xe000) {
        point = 0x10000 + ((point - 0xd800) << 10) + (low - 0xdc00);
        at += 6;
      }
    }
    if (point >= 0xd800 && point < 0xe000) point = 0xfffd; // a lone surrogate
    if (point < 0x80) {
      store<u8>(out + n++, point);
    } else if (point < 0x800) {
      store<u8>(out + n++, 0xc0 | (point >> 6));
      store<u8>(out + n++, 0x80 | (point & 0x3f));
    } else if (point < 0x10000) {
      store<u8>(out + n++, 0xe0 | (point >> 12));
      store<u8>(out + n++, 0x80 | ((point >> 6) & 0x3f));
      store<u8>(out + n++, 0x80 | (point & 0x3f));
    } else {
      store<u8>(out + n++, 0xf0 | (point >> 18));
      store<u8>(out + n++, 0x80 | ((point >> 12) & 0x3f));
      store<u8>(out + n++, 0x80 | ((point >> 6) & 0x3f));
      store<u8>(out + n++, 0x80 | (point & 0x3f));
    }
  }
  return new Bytes(out, <i32>n);
}

/** The JSON value that is exactly `source`, or null. */
export function parse(source: Bytes): JValue | null {
  const reader = new Reader(source.ptr, source.length);
  reader.skipSpace();
  const value = reader.value(0);
  reader.skipSpace();
  if (reader.failed || value === null || reader.pos != reader.length) return null;
  return value;
}

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
    let at = this.pos;
    while (at < this.length) {
      const c = <i32>load<u8>(this.base + <usize>at);
      if (c != 0x20 && c != 0x09 && c != 0x0a && c != 0x0d) break;
      at++;
    }
    this.pos = at;
  }

  word(word: string): bool {
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
    if (c == 0x22) return this.string();
    if (c == 0x7b) return this.object(depth);
    if (c == 0x5b) return this.array(depth);
    const out = new JValue();
    if (c == 0x74 && this.word("true")) {
      out.kind = KIND_BOOL;
      out.flag = true;
      return out;
    }
    if (c == 0x66 && this.word("false")) {
      out.kind = KIND_BOOL;
      return out;
    }
    if (c == 0x6e && this.word("null")) return out;
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
    out.ptr = this.base + <usize>start;
    out.size = this.pos - start;
    return out;
  }

  escaped: bool = false; // whether the string `scan` just read has escapes

  /** Past the string at `pos`, its escapes checked; the offset of its closing quote, or -1. */
  scan(): i32 {
    const base = this.base;
    const length = this.length;
    let at = this.pos + 1; // past the opening quote
    let escaped = false;
    while (true) {
      if (at >= length) return -1;
      const c = <i32>load<u8>(base + <usize>at);
      if (c == 0x22) break;
      if (c < 0x20) return -1;
      if (c == 0x5c) {
        if (at + 1 >= length) return -1;
        const e = <i32>load<u8>(base + <usize>(at + 1));
        if (e == 0x75) {
          if (at + 6 > length || hex4(base, at + 2) < 0) return -1;
          at += 4;
        } else if (
          e != 0x22 && e != 0x5c && e != 0x2f && e != 0x62 && e != 0x66 && e != 0x6e &&
          e != 0x72 && e != 0x74
        ) {
          return -1;
        }
        escaped = true;
        at += 2;
        continue;
      }
      at++;
    }
    this.escaped = escaped;
    this.pos = at + 1; // past the closing quote
    return at;
  }

  /** A string value (its escapes resolved only if its bytes are asked for). */
  string(): JValue | null {
    const start = this.pos + 1;
    const end = this.scan();
    if (end < 0) return this.fail();
    const out = new JValue();
    out.kind = KIND_STRING;
    out.ptr = this.base + <usize>start;
    out.size = end - start;
    out.escaped = this.escaped;
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
    const keys = new Array<i32>();
    const items = new Array<JValue>();
    out.keys = keys;
    out.items = items;
    out.base = this.base;
    this.skipSpace();
    if (this.peek() == 0x7d) {
      this.pos++;
      return out;
    }
    while (true) {
      this.skipSpace();
      if (this.peek() != 0x22) return this.fail();
      const keyStart = this.pos + 1;
      const keyEnd = this.scan();
      if (keyEnd < 0) return this.fail();
      const keyEscaped = this.escaped;
      this.skipSpace();
      if (this.peek() != 0x3a) return this.fail();
      this.pos++;
      this.skipSpace();
      const item = this.value(depth + 1);
      if (item === null) return this.fail();
      keys.push(keyStart);
      keys.push(keyEscaped ? -1 : keyEnd - keyStart); // -1: matches no key

      items.push(item);
      this.skipSpace();
      const c = this.peek();
      this.pos++;
      if (c == 0x7d) return out;
      if (c != 0x2c) return this.fail();
    }
  }
}

/** The output, written as UTF-8 bytes into a buffer that grows as needed. */
export class Writer {
  ptr: usize;
  length: usize = 0;
  capacity: usize;

  constructor(capacity: usize = 4096) {
    this.capacity = capacity;
    this.ptr = heap.alloc(capacity);
  }

  reserve(more: usize): void {
    if (this.length + more <= this.capacity) return;
    let capacity = this.capacity * 2;
    while (capacity < this.length + more) capacity *= 2;
    this.ptr = heap.realloc(this.ptr, capacity);
    this.capacity = capacity;
  }

  /** ASCII text (the output's own punctuation and keys). */
  ascii(text: string): Writer {
    const n = <usize>text.length;
    this.reserve(n);
    for (let i: usize = 0; i < n; i++) {
      store<u8>(this.ptr + this.length + i, <u8>text.charCodeAt(<i32>i));
    }
    this.length += n;
    return this;
  }

  /** Bytes copied as they are (JSON that is already valid: an input string literal, a `lit`). */
  bytes(value: Bytes): Writer {
    this.reserve(<usize>value.length);
    memory.copy(this.ptr + this.length, value.ptr, <usize>value.length);
    this.length += <usize>value.length;
    return this;
  }
}

/** The UTF-8 bytes of a constant, made once: copying them costs a byte each, not a character
 *  loop (the output's punctuation and keys). */
export function lit(text: string): Bytes {
  const buffer = String.UTF8.encode(text);
  return new Bytes(changetype<usize>(buffer), buffer.byteLength);
}
