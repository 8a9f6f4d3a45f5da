// The `file:PATH` destination: whole lines appended to a local file, rotated by size. It lets an agent
// export with no server at all (the command's embedded default) and lets any configuration spool to disk.
// Not in the reference (SPEC §5.10 knows tcp/udp/unix only); the syntax follows its entry style:
//
//   file:PATH[?rotate=SIZE][&keep=N]
//
// PATH is used as written (relative paths against the current directory); it is only ever opened, never
// passed to a shell. SIZE is bytes, or a number with k/m/g (KiB/MiB/GiB); 0 = never rotate. On rotation
// PATH becomes PATH.1, PATH.1 becomes PATH.2 ... up to PATH.N (the oldest is dropped); N = 0 removes PATH.
// A file never ends inside a line: a chunk that would pass SIZE is split after its last newline that fits,
// and only a single line longer than SIZE makes a file larger than SIZE.
import { promises as fsp } from 'fs';
import * as path from 'path';
import { DestinationError, TransportError, errnoOf } from './errors';

export interface FileDestination {
  readonly protocol: 'file';
  /** Absolute path of the file. */
  readonly path: string;
  /** Rotate before the file passes this many bytes; 0 = never. */
  readonly rotateBytes: number;
  /** Rotated files kept (PATH.1 ... PATH.keep). */
  readonly keep: number;
  /** The entry as written. */
  readonly text: string;
}

export const FILE_DESTINATION_DEFAULTS = Object.freeze({ rotateBytes: 64 * 1024 * 1024, keep: 2 });
export const FILE_KEEP_MAX = 100;
export const FILE_DESTINATION_SYNTAX = 'accepted: file:PATH[?rotate=SIZE][&keep=N], SIZE in bytes or with k/m/g (0 = never rotate), N from 0 to 100';

const SIZE = /^([0-9]{1,15})([kmg]?)$/i;
const UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 * 1024, g: 1024 * 1024 * 1024 };

/** True when a destination option is a file destination (one `file:` entry). */
export function isFileDestination(destination: string): boolean {
  return /^\s*file:/i.test(destination);
}

/** Parses `file:PATH[?rotate=SIZE][&keep=N]`; throws DestinationError naming the entry and what is accepted. */
export function parseFileDestination(entry: unknown, cwd: string = process.cwd()): FileDestination {
  if (typeof entry !== 'string') {
    throw new DestinationError('ERR_DESTINATION_TYPE', `file destination must be a string, got ${entry === null ? 'null' : typeof entry}; ${FILE_DESTINATION_SYNTAX}`);
  }
  const text = entry.trim();
  if (!/^file:/i.test(text)) {
    throw new DestinationError('ERR_DESTINATION_PATH', `${JSON.stringify(text)} is not a file destination; ${FILE_DESTINATION_SYNTAX}`, text);
  }
  if (/[\s,]/.test(text)) {
    // A destination list may hold several network entries, but a file is one entry alone.
    throw new DestinationError('ERR_DESTINATION_PATH', `file destination ${JSON.stringify(text)} contains a space or comma: a file destination must be the only entry and its path cannot contain spaces or commas; ${FILE_DESTINATION_SYNTAX}`, text);
  }
  const body = text.slice(5);
  const q = body.indexOf('?');
  const file = q < 0 ? body : body.slice(0, q);
  if (file === '') throw new DestinationError('ERR_DESTINATION_PATH', `file destination ${JSON.stringify(text)} has no path after "file:"; ${FILE_DESTINATION_SYNTAX}`, text);
  if (file.includes('\0')) throw new DestinationError('ERR_DESTINATION_PATH', `file destination ${JSON.stringify(text)}: a path cannot contain NUL`, text);
  if (file.endsWith('/')) throw new DestinationError('ERR_DESTINATION_PATH', `file destination ${JSON.stringify(text)} names a directory; give a file name; ${FILE_DESTINATION_SYNTAX}`, text);
  let rotateBytes: number = FILE_DESTINATION_DEFAULTS.rotateBytes;
  let keep: number = FILE_DESTINATION_DEFAULTS.keep;
  if (q >= 0) {
    const seen = new Set<string>();
    for (const part of body.slice(q + 1).split('&')) {
      const eq = part.indexOf('=');
      const key = eq < 0 ? part : part.slice(0, eq);
      const value = eq < 0 ? '' : part.slice(eq + 1);
      if (seen.has(key)) throw new DestinationError('ERR_DESTINATION_PATH', `file destination ${JSON.stringify(text)} gives '${key}' twice; ${FILE_DESTINATION_SYNTAX}`, text);
      seen.add(key);
      if (key === 'rotate') {
        const m = SIZE.exec(value);
        if (m === null) throw new DestinationError('ERR_DESTINATION_PATH', `file destination ${JSON.stringify(text)}: rotate=${JSON.stringify(value)} is not a size; ${FILE_DESTINATION_SYNTAX}`, text);
        rotateBytes = Number(m[1]) * (UNITS[(m[2] as string).toLowerCase()] as number);
        if (rotateBytes !== 0 && rotateBytes < 1024) {
          throw new DestinationError('ERR_DESTINATION_PATH', `file destination ${JSON.stringify(text)}: rotate=${value} is below 1024 bytes; ${FILE_DESTINATION_SYNTAX}`, text);
        }
      } else if (key === 'keep') {
        if (!/^[0-9]{1,3}$/.test(value) || Number(value) > FILE_KEEP_MAX) {
          throw new DestinationError('ERR_DESTINATION_PATH', `file destination ${JSON.stringify(text)}: keep=${JSON.stringify(value)} is not a number from 0 to ${FILE_KEEP_MAX}; ${FILE_DESTINATION_SYNTAX}`, text);
        }
        keep = Number(value);
      } else {
        throw new DestinationError('ERR_DESTINATION_PATH', `file destination ${JSON.stringify(text)}: unknown parameter ${JSON.stringify(key)}; ${FILE_DESTINATION_SYNTAX}`, text);
      }
    }
  }
  return Object.freeze({ protocol: 'file', path: path.resolve(cwd, file), rotateBytes, keep, text });
}

export interface FileWriteResult {
  /** Bytes written (all of the chunk unless `error`). Always ends on a line boundary or at the chunk end. */
  bytesWritten: number;
  /** Rotations done during this write. */
  rotations: number;
  error: Error | null;
}

/** Appends whole lines to a file and rotates it by size. One writer per file; writes must not overlap. */
export class RotatingFileWriter {
  private handle: fsp.FileHandle | null = null;
  private size = 0;
  /** Rotations since the writer was created. */
  rotations = 0;
  /** Successful opens (the file destination's "connections"). */
  opens = 0;

  constructor(readonly destination: FileDestination) {}

  get isOpen(): boolean {
    return this.handle !== null;
  }

  /** Bytes in the current file. */
  get currentSize(): number {
    return this.size;
  }

  /** Opens (creates) the file for appending; the error names the path and the reason. */
  async open(): Promise<void> {
    if (this.handle !== null) return;
    const p = this.destination.path;
    try {
      this.handle = await fsp.open(p, 'a', 0o644);
      this.size = (await this.handle.stat()).size;
      this.opens++;
    } catch (err) {
      this.handle = null;
      throw fileError(`cannot open ${p} for appending`, err);
    }
  }

  /** Writes `chunk` (whole lines), rotating where needed. Never throws for I/O errors: see `error`. */
  async write(chunk: Buffer): Promise<FileWriteResult> {
    const r: FileWriteResult = { bytesWritten: 0, rotations: 0, error: null };
    let at = 0;
    try {
      await this.open();
      while (at < chunk.length) {
        const limit = this.destination.rotateBytes;
        let end = chunk.length;
        if (limit > 0 && this.size + (end - at) > limit) {
          const room = limit - this.size;
          // The last newline that keeps this file within the limit.
          const nl = room > 0 ? chunk.lastIndexOf(0x0a, at + room - 1) : -1;
          if (nl >= at) {
            end = nl + 1;
          } else if (this.size > 0) {
            await this.rotate();
            r.rotations++;
            continue;
          } else {
            // An empty file and a first line longer than the limit: the line goes in whole.
            const first = chunk.indexOf(0x0a, at);
            end = first < 0 ? chunk.length : first + 1;
          }
        }
        await this.writeAll(chunk.subarray(at, end));
        at = end;
      }
    } catch (err) {
      r.error = err instanceof Error ? err : new Error(String(err));
      await this.close();
    }
    r.bytesWritten = at;
    return r;
  }

  private async writeAll(buf: Buffer): Promise<void> {
    const h = this.handle as fsp.FileHandle;
    let off = 0;
    try {
      while (off < buf.length) {
        const { bytesWritten } = await h.write(buf, off, buf.length - off);
        off += bytesWritten;
        this.size += bytesWritten;
      }
    } catch (err) {
      throw fileError(`cannot write to ${this.destination.path}`, err);
    }
  }

  /** PATH → PATH.1 → ... → PATH.keep; then a fresh PATH. */
  async rotate(): Promise<void> {
    await this.close();
    const p = this.destination.path;
    const keep = this.destination.keep;
    try {
      if (keep === 0) {
        await fsp.rm(p, { force: true });
      } else {
        for (let i = keep - 1; i >= 1; i--) await renameIfExists(`${p}.${i}`, `${p}.${i + 1}`);
        await renameIfExists(p, `${p}.1`);
      }
    } catch (err) {
      throw fileError(`cannot rotate ${p}`, err);
    }
    this.rotations++;
    await this.open();
  }

  async close(): Promise<void> {
    const h = this.handle;
    this.handle = null;
    if (h !== null) await h.close().catch(() => undefined);
  }
}

async function renameIfExists(from: string, to: string): Promise<void> {
  try {
    await fsp.rename(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

function fileError(what: string, err: unknown): TransportError {
  const code = errnoOf(err);
  return new TransportError('ERR_TRANSPORT_WRITE', `${what}: ${err instanceof Error ? err.message : String(err)}`, code, { cause: err });
}
