#!/usr/bin/env node
// Seed corpora for the libFuzzer targets, derived from the golden vectors (/work/shared/vectors):
//   <out>/storage_number/  records `f64 value | u32 word` (fuzz_storage_number.cc): every pack case's
//                          input and flags, paired with the unpack cases' words;
//   <out>/format/          "format cases" (fuzz_format.cc): the exact arguments lib/formats passes to
//                          kernel.formatChart for the formatters_*.json cases, captured from the real
//                          LineFormatter (dist/lib, so `npx tsc` first): every format, collected and
//                          stored, OpenTSDB HTTP single and batched, 1- and 3-dimension charts.
// Usage: node fuzz/make-seeds.js OUT_DIR [VECTORS_DIR]
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const out = path.resolve(process.argv[2] || path.join(root, 'build-fuzz', 'seeds'));
const vectors = path.resolve(process.argv[3] || process.env.RRD_VECTORS_DIR || path.join(root, '..', 'shared', 'vectors'));
const EVERY = Number(process.env.SEED_EVERY || 25); // one formatter case in EVERY (the corpus stays small)

function read(name) {
  const file = path.join(vectors, name);
  if (!fs.existsSync(file)) throw new Error(`vector file ${file} is missing (pass VECTORS_DIR or set RRD_VECTORS_DIR)`);
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function writeSeeds(dir, seeds) {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  seeds.forEach((b, i) => fs.writeFileSync(path.join(dir, `seed-${String(i).padStart(5, '0')}`), b));
  return seeds.length;
}

// ---- storage numbers --------------------------------------------------------------------------------
function storageSeeds() {
  const doc = read('storage_number.json');
  const words = doc.unpack.map((u) => Number.parseInt(u.sn, 16) >>> 0);
  const records = doc.pack.map((p, i) => {
    const b = Buffer.alloc(12);
    b.writeDoubleLE(Number(p.input), 0);
    // Alternate the flags of the pack case with an unpack word, so both halves get vector inputs.
    b.writeUInt32LE(i % 2 === 0 ? p.flags >>> 0 : words[(i >> 1) % words.length], 8);
    return b;
  });
  const seeds = [];
  for (let i = 0; i < records.length; i += 8) seeds.push(Buffer.concat(records.slice(i, i + 8)));
  return seeds;
}

// ---- formatter ----------------------------------------------------------------------------------------
function formatSeeds() {
  const dist = path.join(root, 'dist', 'lib');
  if (!fs.existsSync(path.join(dist, 'formats', 'index.js'))) throw new Error(`${dist} is not built: run npx tsc -p tsconfig.json first`);
  const { getKernel } = require(path.join(dist, 'kernels'));
  const { LineFormatter, FormatBuffer } = require(path.join(dist, 'formats'));
  const { caseChart, FORMATTER_CATEGORIES } = require(path.join(dist, 'conformance', 'formatters'));
  const base = getKernel('fallback');
  const seeds = [];
  // A kernel that records the arguments of every formatChart call, then lets the real one answer.
  const recorder = {
    ...base,
    formatChart(flags, tpl, idx, ring, meta, lcv, lct, outBuf, io, recs) {
      seeds.push(encode(flags, tpl, idx, ring, meta, lcv, lct, outBuf.length - io[0], io, recs.length));
      return base.formatChart(flags, tpl, idx, ring, meta, lcv, lct, outBuf, io, recs);
    },
  };
  for (const file of fs.readdirSync(vectors).filter((f) => /^formatters_.*\.json$/.test(f)).sort()) {
    const doc = read(file);
    const format = FORMATTER_CATEGORIES[doc.header.category];
    if (format === undefined) continue;
    const cases = doc.cases;
    for (let i = 0; i < cases.length; i += EVERY) {
      const c = cases[i];
      const httpModes = format === 'opentsdb-http' ? ['single', 'batch'] : ['single'];
      for (const source of ['as-collected', c.data_source]) {
        for (const mode of httpModes) {
          const fmt = new LineFormatter({
            format, source, prefix: c.prefix, sendNames: (c.options & 65536) !== 0,
            http: { mode, framing: i % 2 === 0 ? 'request' : 'body', host: 'tsdb', maxPoints: 2 },
          }, recorder);
          const buf = new FormatBuffer(65536);
          const host = fmt.host(c.hostname, c.host_tags);
          fmt.formatChart(host, caseChart(c), c.after, c.before, buf, -Infinity);
          fmt.formatChart(host, threeDims(c, cases, i), c.after, c.before, buf, -Infinity);
          fmt.finish(buf);
        }
      }
    }
  }
  return seeds;
}

/** Case i's chart with two more dimensions: names from the next cases, the ring rotated. */
function threeDims(c, cases, i) {
  const { caseChart } = require(path.join(root, 'dist', 'lib', 'conformance', 'formatters'));
  const chart = caseChart(c);
  const e = c.db.entries;
  const ring = new Uint32Array(3 * e);
  for (let d = 0; d < 3; d++) for (let s = 0; s < e; s++) ring[d * e + s] = c.db.values[(s + 5 * d) % e];
  const others = [cases[(i + 1) % cases.length], cases[(i + 2) % cases.length]];
  chart.meta[5] = 3;
  return {
    ...chart,
    ring,
    lastCollectedValue: BigInt64Array.of(BigInt(c.last_collected_value), BigInt(others[0].last_collected_value), -(2n ** 63n)),
    lastCollectedTime: Float64Array.of(c.last_collected_time, c.last_collected_time, others[1].last_collected_time),
    dimensions: [{ id: c.dim_id, name: c.dim_name }, { id: others[0].dim_id, name: others[0].dim_name }, { id: others[1].dim_id, name: others[1].dim_name }],
  };
}

/** The layout fuzz_format.cc parses. */
function encode(flags, tpl, idx, ring, meta, lcv, lct, outExtra, io, recsLen) {
  const u32 = (v) => { const b = Buffer.alloc(4); b.writeUInt32LE(v >>> 0); return b; };
  const arr = (typed) => Buffer.concat([u32(typed.length), Buffer.from(typed.buffer, typed.byteOffset, typed.byteLength)]);
  const ioCopy = Float64Array.from(io);
  ioCopy[0] = 0; // the fuzzer's own buffer starts empty
  return Buffer.concat([
    u32(flags), u32(Math.max(0, Math.min(outExtra, 65535))), u32(Math.min(recsLen, 4095)),
    Buffer.from(ioCopy.buffer),
    arr(Uint8Array.from(tpl)), arr(Uint32Array.from(idx)), arr(Uint32Array.from(ring)), arr(Float64Array.from(meta)),
    arr(BigInt64Array.from(lcv)), arr(Float64Array.from(lct)),
  ]);
}

const n1 = writeSeeds(path.join(out, 'storage_number'), storageSeeds());
const n2 = writeSeeds(path.join(out, 'format'), formatSeeds());
console.log(`seeds: ${n1} storage_number, ${n2} format -> ${out}`);
