import { Bytes, Writer } from "./json";

// Exact decimal arithmetic on the amounts Shopify sends as strings ("19.99", a rate like
// "0.912345"): a price must not pick up binary floating-point error on its way to the cart.

/** A non-negative decimal: base-10 digits, least significant first, and how many are decimals. */
export class Decimal {
  constructor(public digits: Array<i32>, public scale: i32) {}
}

const MAX_LENGTH = 40;

/** `text` when it is a plain non-negative decimal ("12", "0.9", "4.50"), else null. */
export function parseDecimal(text: Bytes): Decimal | null {
  if (text.length == 0 || text.length > MAX_LENGTH) return null;
  const digits = new Array<i32>(text.length);
  digits.length = 0;
  let scale = -1;
  for (let i = text.length - 1; i >= 0; i--) {
    const c = text.at(i);
    if (c == 0x2e) {
      if (scale >= 0 || i == text.length - 1 || i == 0) return null;
      scale = digits.length;
    } else if (c >= 0x30 && c <= 0x39) {
      digits.push(c - 0x30);
    } else {
      return null;
    }
  }
  return new Decimal(digits, scale < 0 ? 0 : scale);
}

function withScale(value: Decimal, scale: i32): Array<i32> {
  const out = new Array<i32>();
  for (let i = value.scale; i < scale; i++) out.push(0);
  for (let i = 0; i < value.digits.length; i++) out.push(value.digits[i]);
  return out;
}

export function add(a: Decimal, b: Decimal): Decimal {
  const scale = max(a.scale, b.scale);
  const x = withScale(a, scale);
  const y = withScale(b, scale);
  const out = new Array<i32>();
  let carry = 0;
  for (let i = 0; i < max(x.length, y.length); i++) {
    const sum = (i < x.length ? x[i] : 0) + (i < y.length ? y[i] : 0) + carry;
    out.push(sum % 10);
    carry = sum / 10;
  }
  if (carry > 0) out.push(carry);
  return new Decimal(out, scale);
}

export function multiply(a: Decimal, b: Decimal): Decimal {
  const out = new Array<i32>(a.digits.length + b.digits.length).fill(0);
  for (let i = 0; i < a.digits.length; i++) {
    let carry = 0;
    for (let j = 0; j < b.digits.length; j++) {
      const cell = out[i + j] + a.digits[i] * b.digits[j] + carry;
      out[i + j] = cell % 10;
      carry = cell / 10;
    }
    let k = i + b.digits.length;
    while (carry > 0) {
      const cell = out[k] + carry;
      out[k] = cell % 10;
      carry = cell / 10;
      k++;
    }
  }
  return new Decimal(out, a.scale + b.scale);
}

/** `value` rounded half up to `places` decimals, written with exactly that many ("24.05"). */
export function format(value: Decimal, places: i32, out: Writer): void {
  let digits = withScale(value, places);
  let scale = max(value.scale, places);
  if (scale > places) {
    const drop = scale - places;
    const roundUp = digits[drop - 1] >= 5;
    digits = digits.slice(drop);
    if (roundUp) {
      let k = 0;
      while (true) {
        if (k == digits.length) {
          digits.push(1);
          break;
        }
        if (digits[k] < 9) {
          digits[k] += 1;
          break;
        }
        digits[k] = 0;
        k++;
      }
    }
  }
  while (digits.length <= places) digits.push(0);
  let top = digits.length - 1;
  while (top > places && digits[top] == 0) top--;
  out.reserve(<usize>(top + 2));
  for (let i = top; i >= 0; i--) {
    if (i == places - 1) store<u8>(out.ptr + out.length++, 0x2e);
    store<u8>(out.ptr + out.length++, <u8>(0x30 + unchecked(digits[i])));
  }
}
