// The few protobuf wire-format primitives the remote-write WriteRequest needs (SPEC §4.6): varints,
// 64-bit little-endian doubles and length-delimited fields, written into a growable Buffer, plus a strict
// reader for decoding (tests, fake receivers, diagnostics). No code generation and no dependency: the
// schema is four tiny messages.

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LENGTH_DELIMITED = 2;
export const WIRE_FIXED32 = 5;

export type ProtobufErrorCode = 'ERR_PROTOBUF_DECODE';

export class ProtobufError extends Error {
  constructor(readonly code: ProtobufErrorCode, message: string) {
    super(message);
    this.name = 'ProtobufError';
  }
}

/** Bytes of the varint encoding of a non-negative safe integer. */
export function varintSize(n: number): number {
  if (n < 0x80) return 1;
  if (n < 0x4000) return 2;
  if (n < 0x200000) return 3;
  if (n < 0x10000000) return 4;
  let len = 4;
  n = Math.floor(n / 0x10000000);
  while (n > 0) {
    len++;
    n = Math.floor(n / 128);
  }
  return len;
}

/** Bytes of an int64 field value: negative numbers take the full 10 bytes (two's complement, no zigzag). */
export function int64Size(n: number): number {
  return n < 0 ? 10 : varintSize(n);
}

/** Bytes of a length-delimited field (tag + length + payload) with a field number below 16. */
export function delimitedSize(payload: number): number {
  return 1 + varintSize(payload) + payload;
}

const scratch = new DataView(new ArrayBuffer(8));

export class ProtobufWriter {
  buf: Buffer;
  pos = 0;

  constructor(initialBytes = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(Math.max(64, initialBytes));
  }

  /** Makes room for `extra` more bytes. */
  ensure(extra: number): void {
    const need = this.pos + extra;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** Forgets everything written (the buffer is kept for reuse). */
  reset(): void {
    this.pos = 0;
  }

  /** The bytes written (a view, valid until the next write). */
  view(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  /** A non-negative safe integer as a varint. The caller has ensured room (≤ 10 bytes). */
  varint(n: number): void {
    const b = this.buf;
    let p = this.pos;
    while (n >= 0x80) {
      b[p++] = (n % 128) | 0x80;
      n = Math.floor(n / 128);
    }
    b[p++] = n;
    this.pos = p;
  }

  /** An int64 value (safe integer); negatives as 10-byte two's complement, as protobuf does. */
  int64(n: number): void {
    if (n >= 0) {
      this.varint(n);
      return;
    }
    let v = BigInt.asUintN(64, BigInt(n));
    const b = this.buf;
    let p = this.pos;
    while (v >= 0x80n) {
      b[p++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    b[p++] = Number(v);
    this.pos = p;
  }

  /** A field key (field number and wire type). */
  key(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  /** An IEEE double, little-endian. */
  double(v: number): void {
    scratch.setFloat64(0, v, true);
    const b = this.buf;
    const p = this.pos;
    for (let i = 0; i < 8; i++) b[p + i] = scratch.getUint8(i);
    this.pos = p + 8;
  }

  /** A length-delimited field holding `bytes`; nothing when empty (proto3 default, SPEC §4.6). */
  bytesField(field: number, bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.ensure(11 + bytes.length);
    this.key(field, WIRE_LENGTH_DELIMITED);
    this.varint(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }
}

/** True when a proto3 double field holds its default and is left out (+0 only: -0 has a bit set). */
export function isDefaultDouble(v: number): boolean {
  return v === 0 && !Object.is(v, -0);
}

// ---- reading --------------------------------------------------------------------------------------------

export interface ProtobufField {
  field: number;
  wireType: number;
  /** WIRE_VARINT: the value (exact below 2^53; larger values lose precision); WIRE_FIXED64: the raw double. */
  value: number;
  /** WIRE_VARINT: the exact unsigned 64-bit value. */
  big: bigint;
  /** WIRE_LENGTH_DELIMITED: the payload (a view). */
  bytes: Buffer;
}

function decodeError(why: string, at: number): ProtobufError {
  return new ProtobufError('ERR_PROTOBUF_DECODE', `protobuf decode error at byte ${at}: ${why}`);
}

/** Iterates the fields of one message. Throws ProtobufError on truncated or malformed input. */
export function* readFields(buf: Buffer): Generator<ProtobufField> {
  let p = 0;
  const readVarint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (p >= buf.length) throw decodeError('a varint is cut short', p);
      const b = buf[p++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return BigInt.asUintN(64, result);
      shift += 7n;
    }
    throw decodeError('a varint is longer than 10 bytes', p);
  };
  while (p < buf.length) {
    const at = p;
    const k = readVarint();
    const field = Number(k >> 3n);
    const wireType = Number(k & 7n);
    if (field === 0) throw decodeError('field number 0', at);
    const f: ProtobufField = { field, wireType, value: 0, big: 0n, bytes: EMPTY };
    switch (wireType) {
      case WIRE_VARINT:
        f.big = readVarint();
        f.value = Number(BigInt.asIntN(64, f.big));
        break;
      case WIRE_FIXED64:
        if (p + 8 > buf.length) throw decodeError('a 64-bit field is cut short', p);
        f.value = buf.readDoubleLE(p);
        f.bytes = buf.subarray(p, p + 8);
        p += 8;
        break;
      case WIRE_LENGTH_DELIMITED: {
        const len = Number(readVarint());
        if (p + len > buf.length) throw decodeError(`a ${len}-byte field runs past the end`, p);
        f.bytes = buf.subarray(p, p + len);
        p += len;
        break;
      }
      case WIRE_FIXED32:
        if (p + 4 > buf.length) throw decodeError('a 32-bit field is cut short', p);
        f.bytes = buf.subarray(p, p + 4);
        p += 4;
        break;
      default:
        throw decodeError(`unsupported wire type ${wireType} (field ${field})`, at);
    }
    yield f;
  }
}

const EMPTY = Buffer.alloc(0);
