// SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104): what `_luneo_price` is signed with.
// The tests check the HMAC against the app's surcharge_token.sign (Python's hmac) through the built Wasm.

const K: StaticArray<u32> = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

/** Absorb `blocks` 64-byte blocks at `data` into `state`. */
function compress(state: StaticArray<u32>, data: usize, blocks: i32): void {
  const w = new StaticArray<u32>(64);
  let h0 = unchecked(state[0]), h1 = unchecked(state[1]), h2 = unchecked(state[2]);
  let h3 = unchecked(state[3]), h4 = unchecked(state[4]), h5 = unchecked(state[5]);
  let h6 = unchecked(state[6]), h7 = unchecked(state[7]);
  for (let block = 0; block < blocks; block++) {
    const at = data + (<usize>block << 6);
    for (let t = 0; t < 16; t++) {
      unchecked((w[t] = bswap<u32>(load<u32>(at + (<usize>t << 2)))));
    }
    for (let t = 16; t < 64; t++) {
      const x = unchecked(w[t - 15]);
      const y = unchecked(w[t - 2]);
      const s0 = rotr<u32>(x, 7) ^ rotr<u32>(x, 18) ^ (x >>> 3);
      const s1 = rotr<u32>(y, 17) ^ rotr<u32>(y, 19) ^ (y >>> 10);
      unchecked((w[t] = unchecked(w[t - 16]) + s0 + unchecked(w[t - 7]) + s1));
    }
    let a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7;
    for (let t = 0; t < 64; t++) {
      const t1 =
        h + (rotr<u32>(e, 6) ^ rotr<u32>(e, 11) ^ rotr<u32>(e, 25)) + ((e & f) ^ (~e & g)) +
        unchecked(K[t]) + unchecked(w[t]);
      const t2 =
        (rotr<u32>(a, 2) ^ rotr<u32>(a, 13) ^ rotr<u32>(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
      h = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
    }
    h0 += a; h1 += b; h2 += c; h3 += d; h4 += e; h5 += f; h6 += g; h7 += h;
  }
  unchecked((state[0] = h0)); unchecked((state[1] = h1)); unchecked((state[2] = h2));
  unchecked((state[3] = h3)); unchecked((state[4] = h4)); unchecked((state[5] = h5));
  unchecked((state[6] = h6)); unchecked((state[7] = h7));
}

function initial(): StaticArray<u32> {
  const h = new StaticArray<u32>(8);
  unchecked((h[0] = 0x6a09e667)); unchecked((h[1] = 0xbb67ae85));
  unchecked((h[2] = 0x3c6ef372)); unchecked((h[3] = 0xa54ff53a));
  unchecked((h[4] = 0x510e527f)); unchecked((h[5] = 0x9b05688c));
  unchecked((h[6] = 0x1f83d9ab)); unchecked((h[7] = 0x5be0cd19));
  return h;
}

/** The digest of `length` bytes at `data` after `prefix` bytes (whole blocks) left `state`. */
function finish(state: StaticArray<u32>, prefix: i32, data: usize, length: i32): Uint8Array {
  const blocks = (length + 9 + 63) >> 6;
  const size = <usize>blocks << 6;
  const padded = heap.alloc(size);
  memory.copy(padded, data, <usize>length);
  memory.fill(padded + <usize>length, 0, size - <usize>length);
  store<u8>(padded + <usize>length, 0x80);
  store<u64>(padded + size - 8, bswap<u64>((<u64>(prefix + length)) << 3));
  const h = new StaticArray<u32>(8);
  for (let i = 0; i < 8; i++) unchecked((h[i] = unchecked(state[i])));
  compress(h, padded, blocks);
  const out = new Uint8Array(32);
  for (let i = 0; i < 8; i++) {
    store<u32>(out.dataStart + (<usize>i << 2), bswap<u32>(unchecked(h[i])));
  }
  return out;
}

export function sha256(data: Uint8Array): Uint8Array {
  return finish(initial(), 0, data.dataStart, data.length);
}

/**
 * HMAC-SHA256 with one key for many messages: the key's inner and outer blocks are absorbed
 * once (RFC 2104's precomputation); each message then costs its own blocks and one outer block.
 */
export class Hmac {
  inner: StaticArray<u32> = initial();
  outer: StaticArray<u32> = initial();

  constructor(key: Uint8Array) {
    const block = key.length > 64 ? sha256(key) : key;
    const pads = heap.alloc(128);
    memory.fill(pads, 0x36, 64);
    memory.fill(pads + 64, 0x5c, 64);
    for (let i = 0; i < block.length; i++) {
      const k = unchecked(block[i]);
      store<u8>(pads + <usize>i, k ^ 0x36);
      store<u8>(pads + 64 + <usize>i, k ^ 0x5c);
    }
    compress(this.inner, pads, 1);
    compress(this.outer, pads + 64, 1);
  }

  digest(message: Uint8Array): Uint8Array {
    const inner = finish(this.inner, 64, message.dataStart, message.length);
    return finish(this.outer, 64, inner.dataStart, 32);
  }
}

/** Equality that looks at every byte whatever the first difference. */
export function constantTimeEquals(a: Uint8Array, b: Uint8Array): bool {
  if (a.length != b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= unchecked(a[i]) ^ unchecked(b[i]);
  return diff == 0;
}
