// Luneo's Cart Transform function, target cart.transform.run: a WASI command whose entry
// (exported as `cart_transform_run`, see asconfig.json) reads the input JSON on stdin and writes
// the CartTransformRunResult JSON on stdout.

import { fd_read, fd_write } from "@assemblyscript/wasi-shim/assembly/bindings/wasi_snapshot_preview1";
import { Bytes } from "./json";
import { transform } from "./transform";

// Shopify's input limit for up to 200 lines; a bigger input grows the buffer (by copying, which
// Wasm runtimes charge per byte: hence no small first guess).
const INITIAL: usize = 65536;

/** Everything on stdin, in a raw heap buffer (never zero-filled: that is charged per byte too). */
function readStdin(): Bytes {
  let capacity = INITIAL;
  let buffer = heap.alloc(capacity);
  let length: usize = 0;
  const iovec = heap.alloc(3 * sizeof<usize>());
  while (true) {
    if (length == capacity) {
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
  return new Bytes(buffer, <i32>length);
}

function writeStdout(ptr: usize, length: usize): void {
  const iovec = heap.alloc(3 * sizeof<usize>());
  while (length > 0) {
    store<usize>(iovec, ptr);
    store<usize>(iovec, length, sizeof<usize>());
    if (fd_write(1, iovec, 1, iovec + 2 * sizeof<usize>()) != 0) return;
    const written = load<usize>(iovec, 2 * sizeof<usize>());
    if (written == 0) return;
    ptr += written;
    length -= written;
  }
}

const output = transform(readStdin());
writeStdout(output.ptr, output.length);
