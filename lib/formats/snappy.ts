// Raw snappy block format (not the framed format) for Prometheus remote write bodies (SPEC §4.6, §5.13).
//
// Written here rather than taken from npm: the format is small and stable, this version writes straight into
// a Buffer sized by maxCompressedLength() (no intermediate arrays), and it has no dependency to keep
// current. The reference used the C++ library's RawCompress; any valid encoder is accepted by receivers,
// and the bytes differ between encoders anyway (SPEC §4.6), so the tests check round trips, an independent
// decoder (the npm `snappyjs` package, test-only) and real receivers, not encoder bytes.
//
// Format: varint(uncompressed length), then elements. Tag low bits 00 = literal (length-1 in the upper six
// bits, or 60..63 = 1..4 little-endian length bytes follow), 01 = copy, length 4..11 and an 11-bit offset,
// 10 = copy, length 1..64 and a 2-byte offset, 11 = copy with a 4-byte offset (never written here: the
// input is compressed in independent 64 KiB blocks, so every offset fits in 16 bits).

export type SnappyErrorCode =
  | 'ERR_SNAPPY_CORRUPT'   // the input is not a valid snappy block
  | 'ERR_SNAPPY_TOO_LARGE'; // the declared uncompressed length is larger than the caller allows

export class SnappyError extends Error {
  constructor(readonly code: SnappyErrorCode, message: string) {
    super(message);
    this.name = 'SnappyError';
  }
}

const BLOCK_SIZE = 1 << 16;
const MAX_HASH_BITS = 14;
/** Below this many bytes before the end of a block no match is searched (the last bytes become a literal). */
const INPUT_MARGIN = 15;

/** snappy's MaxCompressedLength: the bound the reference also used for its buffer estimate (SPEC §5.13). */
export function maxCompressedLength(n: number): number {
  return 32 + n + Math.floor(n / 6);
}

function varintLength(n: number): number {
  let len = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    len++;
  }
  return len;
}

const load32 = (b: Uint8Array, i: number): number => (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;

const hash32 = (x: number, shift: number): number => Math.imul(x, 0x1e35a7bd) >>> shift;

function emitLiteral(input: Uint8Array, from: number, len: number, out: Uint8Array, op: number): number {
  const n = len - 1;
  if (n < 60) {
    out[op++] = n << 2;
  } else if (n < 0x100) {
    out[op++] = 60 << 2;
    out[op++] = n;
  } else {
    // A literal never exceeds one 64 KiB block, so two length bytes always suffice.
    out[op++] = 61 << 2;
    out[op++] = n & 0xff;
    out[op++] = n >>> 8;
  }
  out.set(input.subarray(from, from + len), op);
  return op + len;
}

function emitCopyUpTo64(out: Uint8Array, op: number, offset: number, len: number): number {
  if (len < 12 && offset < 2048) {
    out[op++] = 1 | ((len - 4) << 2) | ((offset >>> 8) << 5);
    out[op++] = offset & 0xff;
  } else {
    out[op++] = 2 | ((len - 1) << 2);
    out[op++] = offset & 0xff;
    out[op++] = offset >>> 8;
  }
  return op;
}

function emitCopy(out: Uint8Array, op: number, offset: number, len: number): number {
  // Pieces of 64 while more than 67 remain, so the last piece is at least 4 bytes (the 1-byte-offset form
  // needs 4..11).
  while (len >= 68) {
    op = emitCopyUpTo64(out, op, offset, 64);
    len -= 64;
  }
  if (len > 64) {
    op = emitCopyUpTo64(out, op, offset, 60);
    len -= 60;
  }
  return emitCopyUpTo64(out, op, offset, len);
}

/** Compresses input[start, end) (at most one block) as independent elements; returns the new output position. */
function compressBlock(input: Uint8Array, start: number, end: number, out: Uint8Array, op: number, table: Uint16Array): number {
  const len = end - start;
  let bits = 8;
  while (bits < MAX_HASH_BITS && 1 << bits < len) bits++;
  const shift = 32 - bits;
  table.fill(0, 0, 1 << bits);

  let nextEmit = start;
  if (len >= INPUT_MARGIN) {
    const ipLimit = end - INPUT_MARGIN;
    let ip = start + 1;
    search: for (;;) {
      // Look for a 4-byte match, stepping faster through data that does not compress (snappy's heuristic:
      // after 32 misses the step grows by one every 32 more).
      let skip = 32;
      let nextIp = ip;
      let candidate: number;
      do {
        ip = nextIp;
        nextIp = ip + (skip++ >>> 5);
        if (nextIp > ipLimit) break search;
        const h = hash32(load32(input, ip), shift);
        candidate = start + table[h]!;
        table[h] = ip - start;
      } while (load32(input, ip) !== load32(input, candidate));

      op = emitLiteral(input, nextEmit, ip - nextEmit, out, op);
      // Emit copies while the bytes right after a match start another match.
      for (;;) {
        const base = ip;
        let m = 4;
        while (ip + m < end && input[candidate + m] === input[ip + m]) m++;
        ip += m;
        op = emitCopy(out, op, base - candidate, m);
        nextEmit = ip;
        if (ip >= ipLimit) break search;
        table[hash32(load32(input, ip - 1), shift)] = ip - 1 - start;
        const h = hash32(load32(input, ip), shift);
        candidate = start + table[h]!;
        table[h] = ip - start;
        if (load32(input, ip) !== load32(input, candidate)) break;
      }
      ip++;
    }
  }
  if (nextEmit < end) op = emitLiteral(input, nextEmit, end - nextEmit, out, op);
  return op;
}

let sharedTable: Uint16Array | null = null;

/**
 * Compresses `input` into a raw snappy block. `out` (optional) must hold maxCompressedLength(input.length)
 * bytes from `outOffset`; the result is a view of the bytes written.
 */
export function snappyCompress(input: Uint8Array, out?: Buffer, outOffset = 0): Buffer {
  const need = maxCompressedLength(input.length);
  if (out === undefined) {
    out = Buffer.allocUnsafe(need);
    outOffset = 0;
  } else if (out.length - outOffset < need) {
    throw new RangeError(`snappyCompress: the output has ${out.length - outOffset} bytes from offset ${outOffset}, ${need} are needed (maxCompressedLength)`);
  }
  let op = outOffset;
  let n = input.length;
  while (n >= 0x80) {
    out[op++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  out[op++] = n;
  if (sharedTable === null) sharedTable = new Uint16Array(1 << MAX_HASH_BITS);
  for (let s = 0; s < input.length; s += BLOCK_SIZE) {
    op = compressBlock(input, s, Math.min(s + BLOCK_SIZE, input.length), out, op, sharedTable);
  }
  return out.subarray(outOffset, op);
}

/** The uncompressed length a snappy block declares (its varint preamble). */
export function snappyUncompressedLength(block: Uint8Array): number {
  return readPreamble(block).length;
}

function readPreamble(block: Uint8Array): { length: number; pos: number } {
  let result = 0;
  let mul = 1;
  for (let i = 0; i < 5; i++) {
    if (i >= block.length) throw corrupt('the length preamble is cut short');
    const b = block[i]!;
    result += (b & 0x7f) * mul;
    if ((b & 0x80) === 0) {
      if (result > 0xffffffff) throw corrupt('the length preamble exceeds 32 bits');
      return { length: result, pos: i + 1 };
    }
    mul *= 128;
  }
  throw corrupt('the length preamble is longer than 5 bytes');
}

function corrupt(why: string): SnappyError {
  return new SnappyError('ERR_SNAPPY_CORRUPT', `not a valid snappy block: ${why}`);
}

/**
 * Decompresses a raw snappy block. `maxLength` bounds the declared uncompressed size (a hostile preamble
 * must not make us allocate gigabytes). Throws SnappyError on any inconsistency.
 */
export function snappyUncompress(block: Uint8Array, maxLength = 256 * 1024 * 1024): Buffer {
  const { length, pos } = readPreamble(block);
  if (length > maxLength) {
    throw new SnappyError('ERR_SNAPPY_TOO_LARGE', `snappy block declares ${length} uncompressed bytes; accepted: at most ${maxLength}`);
  }
  const out = Buffer.allocUnsafe(length);
  let ip = pos;
  let op = 0;
  while (ip < block.length) {
    const tag = block[ip++]!;
    const kind = tag & 3;
    if (kind === 0) {
      let len = tag >>> 2;
      if (len >= 60) {
        const bytes = len - 59;
        if (ip + bytes > block.length) throw corrupt('a literal length is cut short');
        len = 0;
        for (let i = 0; i < bytes; i++) len += block[ip + i]! * 2 ** (8 * i);
        ip += bytes;
      }
      len += 1;
      if (ip + len > block.length) throw corrupt(`a literal of ${len} bytes runs past the end of the input`);
      if (op + len > length) throw corrupt('the data is longer than the declared length');
      out.set(block.subarray(ip, ip + len), op);
      ip += len;
      op += len;
      continue;
    }
    let len: number;
    let offset: number;
    if (kind === 1) {
      if (ip >= block.length) throw corrupt('a copy is cut short');
      len = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | block[ip++]!;
    } else if (kind === 2) {
      if (ip + 2 > block.length) throw corrupt('a copy is cut short');
      len = (tag >>> 2) + 1;
      offset = block[ip]! | (block[ip + 1]! << 8);
      ip += 2;
    } else {
      if (ip + 4 > block.length) throw corrupt('a copy is cut short');
      len = (tag >>> 2) + 1;
      offset = load32(block, ip);
      ip += 4;
    }
    if (offset === 0 || offset > op) throw corrupt(`a copy refers ${offset} bytes back from position ${op}`);
    if (op + len > length) throw corrupt('the data is longer than the declared length');
    // Byte by byte: a copy may overlap its own output (offset < len repeats a pattern).
    for (let i = 0; i < len; i++, op++) out[op] = out[op - offset]!;
  }
  if (op !== length) throw corrupt(`the data is ${op} bytes, the preamble declares ${length}`);
  return out;
}

/** Bytes of the varint that starts every block (exported for size estimates). */
export function snappyPreambleLength(uncompressed: number): number {
  return varintLength(uncompressed);
}
