// The collection API and rrdset_done semantics (SPEC §1.5): storing at slot boundaries, interpolation,
// algorithms, multiplier/divisor, gaps, wraps and the RESET flag, first collections, resets, restore.
// Expected values are computed by hand in the comments; words are compared with pack() of that value.
import * as assert from 'assert';
import { kernel } from '../lib/kernels';
import { SN_EXISTS, SN_EXISTS_RESET, SN_FLAGS_MASK, META_COUNTER, META_CURRENT_ENTRY, META_LAST_UPDATED } from '../lib/kernels/types';
import { RrdChart, RrdDatabase } from '../lib/rrd';

const S = 1_000_000; // µs per second
const at = (sec: number) => Math.round(sec * S);
const P = (v: number, flags = SN_EXISTS) => kernel.pack(v, flags);

function chart(opts: { entries?: number; updateEvery?: number; gap?: number } = {}): RrdChart {
  const db = new RrdDatabase({ hostname: 'h', memoryMode: 'ram' });
  return db.localhost.createChart({ type: 't', id: 'c', entries: opts.entries ?? 5, updateEvery: opts.updateEvery ?? 1, gapWhenLostIterationsAbove: opts.gap });
}

/** One cycle: set every [dim, value] at `sec`, then done at `sec`. */
function cycle(c: RrdChart, sec: number, values: Array<[string, number | bigint]>): void {
  for (const [d, v] of values) c.set(d, v, at(sec));
  c.done(at(sec));
}

const slot = (c: RrdChart, dim: number, s: number) => c.ring[dim * c.entries + s];

describe('rrd collection: absolute (SPEC §1.5)', () => {
  it('the first cycle sets the baseline; later cycles store the value at each boundary', () => {
    const c = chart();
    c.addDimension('a');
    cycle(c, 1000.3, [['a', 10]]);
    // First collection: last_updated = align(1000.3) = 1000, nothing stored.
    assert.deepStrictEqual([c.counter, c.currentEntry, c.lastUpdated], [0, 0, 1000]);
    assert.ok(c.ring.every((w) => w === 0));
    cycle(c, 1001.3, [['a', 20]]);
    // Boundary 1001 ∈ (1000, 1001.3]; the newest boundary of a cycle takes the collected value: 20.
    assert.strictEqual(slot(c, 0, 0), P(20));
    cycle(c, 1002.3, [['a', 30]]);
    assert.strictEqual(slot(c, 0, 1), P(30));
    assert.deepStrictEqual([c.counter, c.currentEntry, c.lastUpdated], [2, 2, 1002]);
    assert.strictEqual(c.lastCollectedValue[0], 30n);
    assert.strictEqual(c.lastCollectedTime[0], 1002);
    assert.strictEqual(c.lastCollectedUsec[0], 300000);
    assert.strictEqual(c.lastCollectedTimeMs(0), 1002300);
    assert.strictEqual(c.collectionsCounter[0], 3);
  });

  it('a missed point is interpolated on the line between the two collections', () => {
    const c = chart();
    c.addDimension('a');
    cycle(c, 1000.5, [['a', 0]]);
    cycle(c, 1001.5, [['a', 10]]); // slot 0 @1001 = 10
    cycle(c, 1003.5, [['a', 30]]);
    // Boundaries 1002 and 1003. 1002 lies on the line (1001.5, 10) → (1003.5, 30): 10 + 20·0.5/2 = 15.
    // 1003 is the newest boundary: 30.
    assert.deepStrictEqual([slot(c, 0, 0), slot(c, 0, 1), slot(c, 0, 2)], [P(10), P(15), P(30)]);
    assert.strictEqual(c.lastUpdated, 1003);
  });

  it('multiplier and divisor: collected × multiplier / divisor', () => {
    const c = chart();
    c.addDimensions([{ id: 'a', multiplier: -3, divisor: 4 }, { id: 'z', divisor: 0 }]);
    cycle(c, 10.1, [['a', 8], ['z', 5]]);
    cycle(c, 11.1, [['a', 10], ['z', 7]]);
    assert.strictEqual(slot(c, 0, 0), P(-7.5)); // 10 × −3 / 4
    assert.strictEqual(slot(c, 1, 0), P(7)); // divisor 0 → 1
  });

  it('gaps longer than `gap when lost iterations above` store empty slots', () => {
    const c = chart();
    c.addDimension('a');
    cycle(c, 1000.5, [['a', 0]]);
    cycle(c, 1001.5, [['a', 10]]); // slot 0
    cycle(c, 1003.5, [['a', 30]]); // slots 1, 2
    cycle(c, 1007.5, [['a', 70]]);
    // Default gap 1 → internal threshold 1 + 2 = 3: of the boundaries 1004..1007 (iterations 4, 3, 2, 1)
    // only those with iterations < 3 are stored: 1004, 1005 empty; 1006 = 30 + 40·2.5/4 = 55; 1007 = 70.
    // The 5-slot ring continues at slot 3: slots 3, 4, 0, 1.
    assert.deepStrictEqual([slot(c, 0, 3), slot(c, 0, 4), slot(c, 0, 0), slot(c, 0, 1)], [0, 0, P(55), P(70)]);
    assert.strictEqual(slot(c, 0, 2), P(30));
    assert.deepStrictEqual([c.counter, c.currentEntry, c.lastUpdated], [7, 2, 1007]);
  });

  it('a smaller gap setting turns a single missed point into a gap', () => {
    const c = chart({ gap: 0 }); // threshold 2
    c.addDimension('a');
    cycle(c, 1000.5, [['a', 0]]);
    cycle(c, 1001.5, [['a', 10]]);
    cycle(c, 1003.5, [['a', 30]]); // 1002 has iterations 2, not < 2 → empty
    assert.deepStrictEqual([slot(c, 0, 1), slot(c, 0, 2)], [0, P(30)]);
  });

  it('a collection exactly on a boundary stores that boundary once, without a spurious gap', () => {
    const c = chart();
    c.addDimension('a');
    cycle(c, 1000, [['a', 0]]);
    cycle(c, 1001, [['a', 10]]);
    cycle(c, 1003, [['a', 30]]);
    // Boundaries 1002 (on the line: 20) and 1003 (30). The reference counted 3 iterations here and
    // would have left 1002 empty.
    assert.deepStrictEqual([slot(c, 0, 0), slot(c, 0, 1), slot(c, 0, 2)], [P(10), P(20), P(30)]);
  });

  it('a dimension not collected in a cycle gets an empty slot and keeps its last value', () => {
    const c = chart();
    c.addDimensions(['a', 'b']);
    cycle(c, 1000.5, [['a', 1], ['b', 2]]);
    cycle(c, 1001.5, [['a', 3], ['b', 4]]);
    cycle(c, 1002.5, [['a', 5]]);
    assert.deepStrictEqual([slot(c, 0, 1), slot(c, 1, 1)], [P(5), 0]);
    assert.strictEqual(c.lastCollectedValue[1], 4n);
    assert.strictEqual(c.lastCollectedTime[1], 1001);
  });

  it('a dimension added later: its first collection is not stored', () => {
    const c = chart();
    c.addDimension('a');
    cycle(c, 1000.5, [['a', 1]]);
    cycle(c, 1001.5, [['a', 2]]);
    c.addDimension('late');
    cycle(c, 1002.5, [['a', 3], ['late', 100]]);
    cycle(c, 1003.5, [['a', 4], ['late', 200]]);
    assert.deepStrictEqual([slot(c, 0, 1), slot(c, 1, 1)], [P(3), 0]);
    assert.deepStrictEqual([slot(c, 0, 2), slot(c, 1, 2)], [P(4), P(200)]);
  });
});

describe('rrd collection: incremental (SPEC §1.5)', () => {
  it('stores the per-second rate, splitting each increment at the boundaries', () => {
    const c = chart();
    c.addDimension({ id: 'a', algorithm: 'incremental' });
    cycle(c, 1000.25, [['a', 1000]]); // baseline; first collection of an incremental dimension
    assert.ok(c.ring.every((w) => w === 0));
    cycle(c, 1001.25, [['a', 1100]]);
    // Δ = 100 over (1000.25, 1001.25]; boundary 1001 gets the part before it: 100 · 0.75 / 1 = 75.
    // The remaining 25 is carried over.
    assert.strictEqual(slot(c, 0, 0), P(75));
    cycle(c, 1002.25, [['a', 1300]]);
    // Δ = 200; boundary 1002 gets 25 (carried) + 200 · 0.75 = 175 per 1 s.
    assert.strictEqual(slot(c, 0, 1), P(175));
  });

  it('first incremental collection is not stored even when the chart already stores', () => {
    const c = chart();
    c.addDimension('abs');
    cycle(c, 1000.5, [['abs', 1]]);
    c.addDimension({ id: 'inc', algorithm: 'incremental' });
    cycle(c, 1001.5, [['abs', 2], ['inc', 50]]);
    cycle(c, 1002.5, [['abs', 3], ['inc', 60]]);
    // inc: 1st collection (cycle 2) → empty; 2nd → Δ10 · (1002 − 1001.5)/1 = 5 at boundary 1002.
    assert.deepStrictEqual([slot(c, 0, 0), slot(c, 1, 0)], [P(2), 0]);
    assert.deepStrictEqual([slot(c, 0, 1), slot(c, 1, 1)], [P(3), P(5)]);
  });

  it('multiplier/divisor and update_every > 1: Δ × m / d / ue', () => {
    const c = chart({ updateEvery: 2 });
    c.addDimension({ id: 'a', algorithm: 'incremental', multiplier: 3, divisor: 2 });
    cycle(c, 1000, [['a', 0]]);
    cycle(c, 1002, [['a', 400]]); // 400 · 3/2 = 600 over 2 s → 300
    cycle(c, 1004, [['a', 1000]]); // 600 · 3/2 = 900 over 2 s → 450
    assert.deepStrictEqual([slot(c, 0, 0), slot(c, 0, 1)], [P(300), P(450)]);
    assert.strictEqual(c.lastUpdated, 1004);
  });

  it('a missed boundary shares the increment in proportion to time', () => {
    const c = chart();
    c.addDimension({ id: 'a', algorithm: 'incremental' });
    cycle(c, 1000, [['a', 0]]);
    cycle(c, 1001, [['a', 10]]); // 10
    cycle(c, 1003, [['a', 50]]); // Δ40 over 2 s: 1002 → 20, 1003 → 20
    assert.deepStrictEqual([slot(c, 0, 0), slot(c, 0, 1), slot(c, 0, 2)], [P(10), P(20), P(20)]);
  });

  it('counter wrap: the wrap size comes from the largest value seen; RESET marks that dimension only', () => {
    const c = chart();
    c.addDimensions([{ id: 'w8', algorithm: 'incremental' }, { id: 'w16', algorithm: 'incremental' }, { id: 'abs' }, { id: 'quiet', algorithm: 'incremental', detectResets: false }]);
    cycle(c, 1000, [['w8', 200], ['w16', 300], ['abs', 1], ['quiet', 250]]);
    cycle(c, 1001, [['w8', 250], ['w16', 65530], ['abs', 1], ['quiet', 255]]);
    assert.deepStrictEqual([slot(c, 0, 0), slot(c, 1, 0)], [P(50), P(65230)]);
    cycle(c, 1002, [['w8', 10], ['w16', 5], ['abs', 1], ['quiet', 4]]);
    // 8-bit counter: 255 − 250 + 10 + 1 = 16; 16-bit: 65535 − 65530 + 5 + 1 = 11; quiet: 255 − 255 + 4 + 1 = 5.
    assert.strictEqual(slot(c, 0, 1), P(16, SN_EXISTS_RESET));
    assert.strictEqual(slot(c, 1, 1), P(11, SN_EXISTS_RESET));
    assert.strictEqual(slot(c, 0, 1) & SN_FLAGS_MASK, SN_EXISTS_RESET);
    assert.strictEqual(slot(c, 2, 1), P(1), 'the absolute dimension is not flagged');
    assert.strictEqual(slot(c, 3, 1), P(5), 'detectResets: false stores SN_EXISTS');
    cycle(c, 1003, [['w8', 20], ['w16', 6], ['abs', 1], ['quiet', 5]]);
    assert.strictEqual(slot(c, 0, 2), P(10), 'the next point is a plain SN_EXISTS again');
  });

  it('64-bit counters: bigint values and a wrap through 2^64', () => {
    const c = chart();
    c.addDimension({ id: 'a', algorithm: 'incremental' });
    const max = (1n << 64n) - 1n;
    cycle(c, 1000, [['a', BigInt.asIntN(64, max - 5n)]]);
    cycle(c, 1001, [['a', BigInt.asIntN(64, max - 1n)]]); // +4
    cycle(c, 1002, [['a', 2n]]); // wraps: (2^64 − 1) − (2^64 − 2) + 2 + 1 = 4
    assert.deepStrictEqual([slot(c, 0, 0), slot(c, 0, 1)], [P(4), P(4, SN_EXISTS_RESET)]);
    assert.strictEqual(c.lastCollectedValue[0], 2n);
  });
});

describe('rrd collection: percentage algorithms', () => {
  it('percentage-of-absolute-row: 100 × value / row total', () => {
    const c = chart();
    c.addDimensions([{ id: 'a', algorithm: 'percentage-of-absolute-row' }, { id: 'b', algorithm: 'percentage-of-absolute-row' }]);
    cycle(c, 1000, [['a', 1], ['b', 3]]);
    cycle(c, 1001, [['a', 1], ['b', 3]]);
    assert.deepStrictEqual([slot(c, 0, 0), slot(c, 1, 0)], [P(25), P(75)]);
  });

  it('percentage-of-incremental-row: 100 × Δvalue / Δtotal', () => {
    const c = chart();
    c.addDimensions([{ id: 'a', algorithm: 'percentage-of-incremental-row' }, { id: 'b', algorithm: 'percentage-of-incremental-row' }]);
    cycle(c, 1000, [['a', 100], ['b', 100]]);
    cycle(c, 1001, [['a', 110], ['b', 130]]); // Δ 10 and 30 of 40
    cycle(c, 1002, [['a', 110], ['b', 130]]); // no change: 0
    assert.deepStrictEqual([slot(c, 0, 0), slot(c, 1, 0)], [P(25), P(75)]);
    assert.deepStrictEqual([slot(c, 0, 1), slot(c, 1, 1)], [P(0), P(0)]);
  });
});

describe('rrd collection: resets, restore, clock and memory mode none', () => {
  it('not collected for longer than the ring spans: the chart resets and starts over', () => {
    const c = chart();
    c.addDimension('a');
    cycle(c, 1000.5, [['a', 1]]);
    cycle(c, 1001.5, [['a', 2]]);
    assert.strictEqual(c.counter, 1);
    const r = c.done(at(1010.5)); // 9 s > 5 entries × 1 s (nothing set: a is not updated)
    assert.strictEqual(r.reset, true);
    assert.deepStrictEqual([c.counter, c.currentEntry, c.lastUpdated], [0, 0, 1010]);
    assert.ok(c.ring.every((w) => w === 0));
    cycle(c, 1011.5, [['a', 7]]);
    assert.strictEqual(slot(c, 0, 0), 0, 'first collection after the reset is not stored');
    cycle(c, 1012.5, [['a', 8]]);
    assert.strictEqual(slot(c, 0, 1), P(8));
  });

  it('reset(): forgets ring and timing; the next cycle is a first collection again', () => {
    const c = chart();
    c.addDimension('a');
    cycle(c, 1000.5, [['a', 1]]);
    cycle(c, 1001.5, [['a', 2]]);
    c.reset();
    assert.deepStrictEqual([c.counter, c.currentEntry, c.lastUpdated, c.collectionsCounter[0]], [0, 0, 0, 0]);
    assert.ok(c.ring.every((w) => w === 0));
    cycle(c, 1002.5, [['a', 3]]);
    cycle(c, 1003.5, [['a', 4]]);
    cycle(c, 1004.5, [['a', 5]]);
    // 1002.5 is the baseline (nothing stored); 1003 and 1004 take the values collected after them.
    assert.deepStrictEqual([c.counter, slot(c, 0, 0), slot(c, 0, 1)], [2, P(4), P(5)]);
  });

  it('restore: the next cycle fills the time since last_updated with empty slots and stores nothing', () => {
    const c = chart();
    c.addDimension({ id: 'a', algorithm: 'incremental' });
    const ring = [P(1), P(2), P(3), P(4), P(5)];
    c.restore({ currentEntry: 0, counter: 10, lastUpdated: 1000, ring, lastCollectedValue: 500n, lastCollectedTime: 1000 });
    assert.deepStrictEqual([c.firstSlot(), c.lastSlot(), c.lastEntryTime()], [0, 4, 1000]);
    cycle(c, 1002.5, [['a', 600]]);
    // Boundaries 1001, 1002 → slots 0, 1 emptied; counter 12; nothing stored this cycle.
    assert.deepStrictEqual(Array.from(c.ring), [0, 0, P(3), P(4), P(5)]);
    assert.deepStrictEqual([c.meta[META_COUNTER], c.meta[META_CURRENT_ENTRY], c.meta[META_LAST_UPDATED]], [12, 2, 1002]);
    // The increment of the gap cycle, Δ100 over (1000, 1002.5], is split at the last emptied boundary 1002:
    // 80 went to the gap, 20 is carried. Δ100 over (1002.5, 1003.5]: boundary 1003 gets 20 + 50 = 70.
    cycle(c, 1003.5, [['a', 700]]);
    assert.strictEqual(slot(c, 0, 2), P(70));
  });

  it('clock going back: re-anchored one update interval before now, ring kept', () => {
    const c = chart();
    c.addDimension('a');
    cycle(c, 1000.5, [['a', 1]]);
    cycle(c, 1001.5, [['a', 2]]);
    cycle(c, 1002.5, [['a', 3]]);
    cycle(c, 1000.7, [['a', 9]]);
    // last_updated = align(1000 − 1) = 999, so boundary 1000 is stored (9) in the next slot.
    assert.deepStrictEqual([c.counter, c.lastUpdated, slot(c, 0, 2)], [3, 1000, P(9)]);
    assert.deepStrictEqual([slot(c, 0, 0), slot(c, 0, 1)], [P(2), P(3)]);
  });

  it('memory mode none: no ring, as-collected values still recorded', () => {
    const db = new RrdDatabase({ hostname: 'h' });
    const c = db.localhost.createChart({ type: 't', id: 'n', memoryMode: 'none' });
    c.addDimensions(['a', 'b']);
    cycle(c, 1000.5, [['a', -5n], ['b', 7]]);
    cycle(c, 1001.5, [['a', 6]]);
    assert.strictEqual(c.ring.length, 0);
    assert.deepStrictEqual(Array.from(c.lastCollectedValue), [6n, 7n]);
    assert.deepStrictEqual(Array.from(c.lastCollectedTime), [1001, 1000]);
    assert.strictEqual(c.counter, 0);
    assert.strictEqual(c.isAvailableForBackends(), true);
  });

  it('collection clears OBSOLETE flags of the chart and of collected dimensions', () => {
    const c = chart();
    c.addDimensions([{ id: 'a', obsolete: true }, { id: 'b', obsolete: true }]);
    c.obsolete = true;
    cycle(c, 1000, [['a', 1]]);
    assert.strictEqual(c.obsolete, false);
    assert.deepStrictEqual([c.dimensionInfo('a').obsolete, c.dimensionInfo('b').obsolete], [false, true]);
  });

  it('the default timestamp is the wall clock', () => {
    const c = chart();
    c.addDimension('a');
    const before = Math.floor(Date.now() / 1000);
    c.set('a', 1);
    c.done();
    const after = Math.floor(Date.now() / 1000);
    assert.ok(c.lastCollectedTime[0] >= before && c.lastCollectedTime[0] <= after);
    assert.ok(c.lastUpdated <= after && c.lastUpdated >= before - 1);
  });
});
