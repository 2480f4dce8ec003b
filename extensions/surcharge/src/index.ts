// Luneo's Cart Transform function, target cart.transform.run: a WASI command whose entry
// (exported as `cart_transform_run`, see asconfig.json) reads the input JSON on stdin and writes
// the CartTransformRunResult JSON on stdout.

import { fd_read } from "@assemblyscript/wasi-shim/assembly/bindings/wasi_snapshot_preview1";
import { transformBytes } from "./transform";

const CHUNK: usize = 16384;

/** Everything on stdin, in a raw heap buffer (no zero-filling: every instruction counts). */
function readStdin(): StaticArray<usize> {
  let capacity = CHUNK;
  let buffer = heap.alloc(capacity);
  let length: usize = 0;
  const iovec = heap.alloc(3 * sizeof<usize>());
  while (true) {
    if (capacity - length < CHUNK) {
      capacity *= 2;
      buffer = heap.realloc(buffer, capacity);
    }
    store<usize>(iovec, buffer + length);
    store<usize>(iovec, capacity - length, sizeof<usize>());
    const errno = fd_read(0, iovec, 1, iovec + 2 * sizeof<usize>());
    const count = load<usize>(iovec, 2 * sizeof<usize>());
    if (errno != 0 || count == 0) break;
    length += count;
  }
  const out = new StaticArray<usize>(2);
  out[0] = buffer;
  out[1] = length;
  return out;
}

const input = readStdin();
process.stdout.write(String.UTF8.encode(transformBytes(input[0], input[1])));
