// Reads carbon's whisper files directly (no python per read-back): the format is a fixed
// big-endian layout, documented in graphite-project/whisper's whisper.py.
//   header:  aggregationType u32, maxRetention u32, xFilesFactor f32, archiveCount u32
//   archive: offset u32, secondsPerPoint u32, points u32           (archiveCount times)
//   point:   interval u32, value f64                                (points times, at offset)
import * as fs from 'fs';
import { ReceiverError } from './receiver-process';

export interface WhisperArchive {
  offset: number;
  secondsPerPoint: number;
  points: number;
}

export interface WhisperHeader {
  aggregationType: number;
  maxRetention: number;
  xFilesFactor: number;
  archives: WhisperArchive[];
}

export interface WhisperPoint {
  /** Seconds since the epoch, as carbon stored it (aligned down to the archive's step). */
  timestamp: number;
  value: number;
}

export function parseWhisperHeader(buf: Buffer, file = '<buffer>'): WhisperHeader {
  if (buf.length < 16) throw new ReceiverError('ERR_WHISPER_FORMAT', `${file}: ${buf.length} bytes is shorter than a whisper header (16)`);
  const archiveCount = buf.readUInt32BE(12);
  const need = 16 + 12 * archiveCount;
  if (archiveCount === 0 || buf.length < need) {
    throw new ReceiverError('ERR_WHISPER_FORMAT', `${file}: archiveCount=${archiveCount} does not fit in ${buf.length} bytes`);
  }
  const archives: WhisperArchive[] = [];
  for (let i = 0; i < archiveCount; i++) {
    const o = 16 + 12 * i;
    const a = { offset: buf.readUInt32BE(o), secondsPerPoint: buf.readUInt32BE(o + 4), points: buf.readUInt32BE(o + 8) };
    if (a.offset + 12 * a.points > buf.length) {
      throw new ReceiverError('ERR_WHISPER_FORMAT', `${file}: archive ${i} (offset ${a.offset}, ${a.points} points) runs past the end (${buf.length} bytes)`);
    }
    archives.push(a);
  }
  return { aggregationType: buf.readUInt32BE(0), maxRetention: buf.readUInt32BE(4), xFilesFactor: buf.readFloatBE(8), archives };
}

/**
 * The points of one archive (0 = finest) that hold data, sorted by timestamp. Like whisper's fetch,
 * a slot only counts when its stored interval is inside the archive's window ending at `now`:
 * a slot left over from a previous lap of the ring is not data.
 */
export function readWhisperPoints(buf: Buffer, opts: { archive?: number; now?: number; file?: string } = {}): WhisperPoint[] {
  const file = opts.file ?? '<buffer>';
  const header = parseWhisperHeader(buf, file);
  const index = opts.archive ?? 0;
  const a = header.archives[index];
  if (!a) throw new ReceiverError('ERR_WHISPER_ARCHIVE', `${file}: archive ${index} requested, the file has ${header.archives.length}`);
  const now = opts.now ?? Math.floor(Date.now() / 1000);
  const oldest = now - a.secondsPerPoint * a.points;
  const out: WhisperPoint[] = [];
  for (let i = 0; i < a.points; i++) {
    const o = a.offset + 12 * i;
    const timestamp = buf.readUInt32BE(o);
    if (timestamp === 0 || timestamp <= oldest) continue;
    out.push({ timestamp, value: buf.readDoubleBE(o + 4) });
  }
  return out.sort((x, y) => x.timestamp - y.timestamp);
}

export function readWhisperFile(file: string, opts: { archive?: number; now?: number } = {}): WhisperPoint[] {
  return readWhisperPoints(fs.readFileSync(file), { ...opts, file });
}
