// The database model: names, strings, defaults, iteration order, namesVersion, flags, errors, slot/time
// mapping (SPEC §1.1-§1.4, §1.7).
import * as assert from 'assert';
import {
  ChartView, DIM_FLAG_HIDDEN, jsonFixString, RrdDatabase, RrdError, sanitizeChartName, chartSlabBytes,
} from '../lib/rrd';
import { META_COUNTER, META_CURRENT_ENTRY, META_DIMS, META_ENTRIES, META_LAST_UPDATED, META_LENGTH, META_UPDATE_EVERY } from '../lib/kernels/types';
import { firstEntryTime, firstSlot, lastEntryTime, lastSlot, slotToTime, timeToSlot } from '../lib/rrd/slots';

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof RrdError, `expected an RrdError, got ${String(e)}`);
    return e.code;
  }
  assert.fail('expected an error');
}

function db(): RrdDatabase {
  return new RrdDatabase({ hostname: 'web01', memoryMode: 'ram', entries: 5 });
}

describe('rrd: strings (SPEC §1.2)', () => {
  it('json_fix_string maps \\ " whitespace/control and non-ASCII bytes', () => {
    // a, \→/, b, "→', c, TAB→' ', d, 0x01→' ', e, 0x7f→' ', é = 2 UTF-8 bytes → "__"
    assert.strictEqual(jsonFixString('a\\b"c\td\x01e\x7fé'), "a/b'c d e __");
    assert.strictEqual(jsonFixString('KiB/s'), 'KiB/s');
    assert.strictEqual(jsonFixString('€'), '___'); // 3 bytes
    assert.strictEqual(jsonFixString('😀'), '____'); // 4 bytes
    assert.strictEqual(jsonFixString("~ {}[]'"), "~ {}[]'");
  });

  it('chart names: non-alnum, non-dot bytes become _, cut at 200 bytes', () => {
    assert.strictEqual(sanitizeChartName('disk_util.dm-0'), 'disk_util.dm_0');
    assert.strictEqual(sanitizeChartName('t.café'), 't.caf__');
    assert.strictEqual(sanitizeChartName('a b/c:d'), 'a_b_c_d');
    const long = 'x'.repeat(250);
    assert.strictEqual(sanitizeChartName(long).length, 200);
    // A multi-byte char straddling byte 200: only its first byte survives, as one '_'.
    assert.strictEqual(sanitizeChartName('y'.repeat(199) + 'é'), 'y'.repeat(199) + '_');
  });
});

describe('rrd: charts and dimensions (SPEC §1.2, §1.3)', () => {
  it('id is type.id unsanitised, name sanitised, defaults for family/context/units', () => {
    const h = db().localhost;
    const c = h.createChart({ type: 'disk_util', id: 'dm-0' });
    assert.strictEqual(c.id, 'disk_util.dm-0');
    assert.strictEqual(c.name, 'disk_util.dm_0');
    assert.strictEqual(c.type, 'disk_util');
    assert.strictEqual(c.family, 'disk_util');
    assert.strictEqual(c.context, 'disk_util.dm-0');
    assert.strictEqual(c.units, '');
    const n = h.createChart({ id: 'apps.cpu', name: 'café total' });
    assert.strictEqual(n.type, 'apps');
    assert.strictEqual(n.id, 'apps.cpu');
    assert.strictEqual(n.name, 'apps.caf___total');
  });

  it('family/context/units go through json_fix_string; "" means default', () => {
    const c = db().localhost.createChart({ type: 't', id: 'x', family: 'my "fam"\\1', context: 'ctx\tz', units: 'µs', name: '' });
    assert.strictEqual(c.family, "my 'fam'/1");
    assert.strictEqual(c.context, 'ctx z');
    assert.strictEqual(c.units, '__s'); // µ is 2 UTF-8 bytes
    assert.strictEqual(c.name, 't.x');
    const d = db().localhost.createChart({ type: 't', id: 'y', family: '', context: null, units: undefined });
    assert.strictEqual(d.family, 't');
    assert.strictEqual(d.context, 't.y');
  });

  it('a name taken by another chart falls back to the id; rename refuses taken names', () => {
    const h = db().localhost;
    const a = h.createChart({ type: 't', id: 'a', name: 'shared' });
    const b = h.createChart({ type: 't', id: 'b', name: 'shared' });
    assert.strictEqual(a.name, 't.shared');
    assert.strictEqual(b.name, 't.b');
    assert.strictEqual(b.rename('shared'), false);
    assert.strictEqual(b.name, 't.b');
    assert.strictEqual(a.rename('other'), true);
    assert.strictEqual(b.rename('shared'), true);
    assert.strictEqual(h.findChartByName('t.shared'), b);
    assert.strictEqual(h.findChartByName('t.other'), a);
  });

  it('dimension names default to the id, unsanitised; options are stored per dimension', () => {
    const c = db().localhost.createChart({ type: 't', id: 'c' });
    c.addDimension('in-1');
    c.addDimension({ id: 'out', name: 'out put!', algorithm: 'incremental', multiplier: -8, divisor: 0, hidden: true });
    assert.deepStrictEqual(c.dimensions.map((d) => [d.id, d.name]), [['in-1', 'in-1'], ['out', 'out put!']]);
    const info = c.dimensionInfo('out');
    assert.strictEqual(info.algorithm, 'incremental');
    assert.strictEqual(info.multiplier, -8);
    assert.strictEqual(info.divisor, 1); // SPEC §1.3: divisor 0 → 1
    assert.strictEqual(info.hidden, true);
    assert.strictEqual(c.dimensionFlags[1] & DIM_FLAG_HIDDEN, DIM_FLAG_HIDDEN);
    assert.strictEqual(c.algorithm[1], 1);
    assert.strictEqual(c.multiplier[1], -8);
    assert.strictEqual(c.meta[META_DIMS], 2);
    assert.strictEqual(c.dimensionInfo(0).algorithm, 'absolute');
  });

  it('adding dimensions keeps ring contents and per-dimension values (reallocation copies)', () => {
    const c = db().localhost.createChart({ type: 't', id: 'c', entries: 5 });
    c.addDimensions(['a', 'b']);
    c.restore({ currentEntry: 2, counter: 2, lastUpdated: 100, ring: [1, 2, 0, 0, 0, 11, 12, 0, 0, 0], lastCollectedValue: [7n, -9n], lastCollectedTime: 100 });
    for (let k = 0; k < 20; k++) c.addDimension(`n${k}`);
    assert.strictEqual(c.ring.length, 22 * 5);
    assert.deepStrictEqual(Array.from(c.ring.subarray(0, 10)), [1, 2, 0, 0, 0, 11, 12, 0, 0, 0]);
    assert.ok(c.ring.subarray(10).every((w) => w === 0));
    assert.deepStrictEqual(Array.from(c.lastCollectedValue.subarray(0, 3)), [7n, -9n, 0n]);
    assert.strictEqual(c.meta[META_CURRENT_ENTRY], 2);
    assert.strictEqual(c.meta[META_DIMS], 22);
    assert.strictEqual(c.dimensionIndex('n19'), 21); // map lookup above the linear threshold
    assert.strictEqual(c.dimensionIndex('nope'), -1);
  });

  it('storage is one buffer per chart sized by the layout; compact() trims spare capacity', () => {
    const c = db().localhost.createChart({ type: 't', id: 'c', entries: 60 });
    for (let k = 0; k < 50; k++) c.addDimension(`d${k}`);
    assert.ok(c.storageBytes > chartSlabBytes(50, 60));
    c.compact();
    assert.strictEqual(c.storageBytes, chartSlabBytes(50, 60));
    assert.strictEqual(c.ring.buffer, c.meta.buffer);
    assert.strictEqual(c.lastCollectedValue.buffer, c.ring.buffer);
    // Rings dominate: per-dimension bookkeeping adds well under a third to 60 slots of 4 bytes.
    assert.ok(chartSlabBytes(50, 60) < 50 * 60 * 4 * 1.3);
  });

  it('memory mode none keeps no ring', () => {
    const c = db().localhost.createChart({ type: 't', id: 'n', memoryMode: 'none', entries: 60 });
    c.addDimensions(['a', 'b']);
    assert.strictEqual(c.ring.length, 0);
    assert.strictEqual(c.meta[META_ENTRIES], 0);
    assert.strictEqual(c.lastCollectedValue.length, 2);
    assert.strictEqual(code(() => c.restore({ currentEntry: 0, counter: 0, lastUpdated: 0 })), 'ERR_RRD_BAD_RESTORE');
  });

  it('isAvailableForBackends: enabled, not obsolete, ≥ 1 dimension', () => {
    const h = db().localhost;
    const c = h.createChart({ type: 't', id: 'c' });
    assert.strictEqual(c.isAvailableForBackends(), false);
    c.addDimension('a');
    assert.strictEqual(c.isAvailableForBackends(), true);
    c.obsolete = true;
    assert.strictEqual(c.isAvailableForBackends(), false);
    c.obsolete = false;
    c.enabled = false;
    assert.strictEqual(c.isAvailableForBackends(), false);
    assert.strictEqual(h.createChart({ type: 't', id: 'd', enabled: false, obsolete: true }).obsolete, true);
  });

  it('heterogeneous when algorithm, |multiplier| or |divisor| differ', () => {
    const c = db().localhost.createChart({ type: 't', id: 'c' });
    c.addDimensions([{ id: 'a', multiplier: 1 }, { id: 'b', multiplier: -1 }]);
    assert.strictEqual(c.heterogeneous, false);
    c.addDimension({ id: 'c', divisor: 8 });
    assert.strictEqual(c.heterogeneous, true);
    c.updateDimension('c', { divisor: -1 });
    assert.strictEqual(c.heterogeneous, false);
    c.updateDimension('a', { algorithm: 'incremental' });
    assert.strictEqual(c.heterogeneous, true);
  });
});

describe('rrd: namesVersion and host version', () => {
  it('bumps on rename, dimension add/rename and algorithm change, not on collection', () => {
    const h = db().localhost;
    const c = h.createChart({ type: 't', id: 'c' });
    const other = h.createChart({ type: 't', id: 'o' });
    const seen = new Set<number>([c.namesVersion, other.namesVersion]);
    assert.strictEqual(seen.size, 2, 'distinct charts have distinct stamps');
    const step = (what: string, fn: () => void, bump: boolean) => {
      const before = c.namesVersion;
      fn();
      if (bump) {
        assert.notStrictEqual(c.namesVersion, before, what);
        assert.ok(!seen.has(c.namesVersion), `${what}: a stamp is never reused`);
        seen.add(c.namesVersion);
      } else assert.strictEqual(c.namesVersion, before, what);
    };
    step('add', () => c.addDimension('a'), true);
    step('add batch', () => c.addDimensions(['b', 'c']), true);
    step('rename chart', () => c.rename('new'), true);
    step('rename to same', () => c.rename('new'), false);
    step('rename dimension', () => c.renameDimension('a', 'A'), true);
    step('same dimension name', () => c.renameDimension(0, 'A'), false);
    step('algorithm', () => c.updateDimension('b', { algorithm: 'incremental' }), true);
    step('multiplier', () => c.updateDimension('b', { multiplier: 5 }), false);
    step('set', () => c.set('a', 1, 1_000_000_000), false);
    step('done', () => c.done(1_000_000_000), false);
    step('refused rename', () => c.rename('o'), false);
  });

  it('host tags: "" stored as null; version bumps on hostname/tags change', () => {
    const d = new RrdDatabase({ hostname: 'a', tags: '' });
    const h = d.localhost;
    assert.strictEqual(h.tags, null);
    assert.strictEqual(h.isLocalhost, true);
    assert.strictEqual(h.programName, 'netdata');
    const v0 = h.version;
    h.tags = '';
    assert.strictEqual(h.version, v0);
    h.tags = 'dc=eu';
    assert.strictEqual(h.tags, 'dc=eu');
    const v1 = h.version;
    assert.notStrictEqual(v1, v0);
    h.hostname = 'b';
    assert.notStrictEqual(h.version, v1);
    assert.strictEqual(h.hostname, 'b');
    const child = d.addHost({ hostname: 'kid', tags: 'x=1', programName: 'netdata', programVersion: 'v1.15.0' });
    assert.strictEqual(child.isLocalhost, false);
    assert.strictEqual(child.programVersion, 'v1.15.0');
  });
});

describe('rrd: iteration order (SPEC §1.7)', () => {
  it('localhost first, then children newest first; charts newest first; dimensions in creation order', () => {
    const d = db();
    const c1 = d.addHost({ hostname: 'child1' });
    const c2 = d.addHost({ hostname: 'child2' });
    const c3 = d.addHost({ hostname: 'child3', key: 'guid-3' });
    assert.deepStrictEqual(d.hosts.map((h) => h.hostname), ['web01', 'child3', 'child2', 'child1']);
    assert.strictEqual(d.findHost('guid-3'), c3);
    assert.strictEqual(d.removeHost(c2), true);
    assert.deepStrictEqual(d.hosts.map((h) => h.hostname), ['web01', 'child3', 'child1']);
    assert.strictEqual(d.removeHost(d.localhost), false);
    assert.strictEqual(c1.chartCount, 0);

    const h = d.localhost;
    for (const id of ['first', 'second', 'third']) h.createChart({ type: 't', id });
    assert.deepStrictEqual(h.charts.map((c) => c.id), ['t.third', 't.second', 't.first']);
    h.createChart({ type: 't', id: 'fourth' });
    assert.deepStrictEqual(h.charts.map((c) => c.id), ['t.fourth', 't.third', 't.second', 't.first']);
    assert.strictEqual(h.removeChart('t.second'), true);
    assert.deepStrictEqual(h.charts.map((c) => c.id), ['t.fourth', 't.third', 't.first']);
    assert.strictEqual(h.findChart('t.second'), undefined);

    const c = h.charts[0];
    c.addDimensions(['z', 'a', 'm']);
    c.addDimension('b');
    assert.deepStrictEqual(c.dimensions.map((x) => x.id), ['z', 'a', 'm', 'b']);
  });

  it('an RrdChart is a ChartView (the shape the formatters read)', () => {
    const c = db().localhost.createChart({ type: 't', id: 'c' });
    c.addDimension('a');
    const v: ChartView = c;
    assert.strictEqual(v.meta.length, META_LENGTH);
    assert.strictEqual(v.ring.length, v.meta[META_ENTRIES] * v.dimensions.length);
    assert.strictEqual(v.meta[META_UPDATE_EVERY], 1);
  });
});

describe('rrd: errors carry stable codes and name the value', () => {
  it('rejects bad input clearly', () => {
    const d = db();
    const h = d.localhost;
    const c = h.createChart({ type: 't', id: 'c' });
    c.addDimension('a');
    assert.strictEqual(code(() => h.createChart({ type: 't', id: 'c' })), 'ERR_RRD_DUPLICATE_CHART');
    assert.strictEqual(code(() => c.addDimension('a')), 'ERR_RRD_DUPLICATE_DIMENSION');
    assert.strictEqual(code(() => c.addDimensions(['x', 'x'])), 'ERR_RRD_DUPLICATE_DIMENSION');
    assert.strictEqual(c.dimensionCount, 1, 'a refused batch adds nothing');
    assert.strictEqual(code(() => d.addHost({ hostname: 'web02' }) && d.addHost({ hostname: 'web02' })), 'ERR_RRD_DUPLICATE_HOST');
    assert.strictEqual(code(() => h.createChart({ id: 'notype' })), 'ERR_RRD_BAD_ID');
    assert.strictEqual(code(() => h.createChart({ type: 't', id: 'x'.repeat(199) })), 'ERR_RRD_BAD_ID');
    assert.strictEqual(code(() => h.createChart({ type: 't', id: 'e', entries: 4 })), 'ERR_RRD_BAD_OPTION');
    assert.strictEqual(code(() => h.createChart({ type: 't', id: 'u', updateEvery: 0 })), 'ERR_RRD_BAD_OPTION');
    assert.strictEqual(code(() => h.createChart({ type: 't', id: 'm', memoryMode: 'dbengine' as never })), 'ERR_RRD_BAD_MEMORY_MODE');
    assert.strictEqual(code(() => c.addDimension({ id: 'z', algorithm: 'avg' as never })), 'ERR_RRD_BAD_ALGORITHM');
    assert.strictEqual(code(() => c.addDimension({ id: 'z', multiplier: 1.5 })), 'ERR_RRD_BAD_OPTION');
    assert.strictEqual(code(() => c.set('nope', 1)), 'ERR_RRD_UNKNOWN_DIMENSION');
    assert.strictEqual(code(() => c.set(1, 1)), 'ERR_RRD_UNKNOWN_DIMENSION');
    for (const bad of [1.5, NaN, Infinity, 2 ** 53, '5', 1n << 63n, -(1n << 63n) - 1n, null]) {
      assert.strictEqual(code(() => c.set('a', bad as never, 1)), 'ERR_RRD_BAD_VALUE', String(bad));
    }
    assert.strictEqual(code(() => c.set('a', 1, -1)), 'ERR_RRD_BAD_TIME');
    assert.strictEqual(code(() => c.done(1.5)), 'ERR_RRD_BAD_TIME');
    assert.strictEqual(code(() => c.restore({ currentEntry: 1, counter: 3, lastUpdated: 10 })), 'ERR_RRD_BAD_RESTORE');
    assert.strictEqual(code(() => c.restore({ currentEntry: 0, counter: 9, lastUpdated: 10, ring: [1, 2] })), 'ERR_RRD_BAD_RESTORE');
  });

  it('messages name the key, the value and what is accepted', () => {
    const c = db().localhost.createChart({ type: 't', id: 'c' });
    c.addDimension('bytes');
    assert.throws(() => c.set('bytes', 0.25), (e: Error) => /"bytes"/.test(e.message) && /0\.25/.test(e.message) && /safe-integer/.test(e.message));
    assert.throws(() => c.set('bytes', 1n << 64n), (e: Error) => /18446744073709551616n/.test(e.message) && /BigInt\.asIntN/.test(e.message));
  });

  it('accepts the whole int64 range as bigint and safe integers as numbers', () => {
    const c = db().localhost.createChart({ type: 't', id: 'c' });
    c.addDimension('a');
    for (const v of [-(1n << 63n), (1n << 63n) - 1n, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 0]) {
      c.set('a', v, 5_000_000);
      c.done(5_000_000);
      assert.strictEqual(c.lastCollectedValue[0], BigInt(v));
    }
  });
});

describe('rrd: slot/time mapping and first/last entry (SPEC §1.4)', () => {
  function meta(entries: number, current: number, counter: number, last: number, ue: number): Float64Array {
    const m = new Float64Array(META_LENGTH);
    m[META_ENTRIES] = entries;
    m[META_CURRENT_ENTRY] = current;
    m[META_COUNTER] = counter;
    m[META_LAST_UPDATED] = last;
    m[META_UPDATE_EVERY] = ue;
    return m;
  }

  it('wrapped ring: first slot = current_entry, first_t = last_t − entries·ue', () => {
    const m = meta(5, 2, 7, 1000, 10);
    assert.strictEqual(lastSlot(m), 1);
    assert.strictEqual(firstSlot(m), 2);
    assert.strictEqual(lastEntryTime(m), 1000);
    assert.strictEqual(firstEntryTime(m), 950);
    assert.strictEqual(timeToSlot(m, 2000), 1); // ≥ last_t → last slot
    assert.strictEqual(timeToSlot(m, 1000), 1);
    assert.strictEqual(timeToSlot(m, 999), 1); // k = floor(1/10) = 0
    assert.strictEqual(timeToSlot(m, 990), 0); // k = 1
    assert.strictEqual(timeToSlot(m, 980), 4); // 1 − 2 + 5
    assert.strictEqual(timeToSlot(m, 975), 4); // k = floor(25/10) = 2
    assert.strictEqual(timeToSlot(m, 960), 2); // 1 − 4 + 5
    assert.strictEqual(timeToSlot(m, 950), 2); // ≤ first_t → first slot
    assert.strictEqual(timeToSlot(m, 0), 2);
    // slot → time is the inverse on the slots that hold data
    for (let s = 0; s < 5; s++) assert.strictEqual(timeToSlot(m, slotToTime(m, s)), s);
    assert.strictEqual(slotToTime(m, 2), 960);
  });

  it('unwrapped ring: first slot 0, duration counter·ue; current_entry 0 wraps the last slot', () => {
    const m = meta(5, 3, 3, 1000, 10);
    assert.strictEqual(firstSlot(m), 0);
    assert.strictEqual(lastSlot(m), 2);
    assert.strictEqual(firstEntryTime(m), 970);
    assert.strictEqual(timeToSlot(m, 980), 0);
    assert.strictEqual(timeToSlot(m, 970), 0);
    const w = meta(5, 0, 10, 500, 1);
    assert.strictEqual(lastSlot(w), 4);
    assert.strictEqual(firstSlot(w), 0);
    assert.strictEqual(timeToSlot(w, 499), 3);
  });

  it('the chart exposes the same mapping over its own meta', () => {
    const c = db().localhost.createChart({ type: 't', id: 'c', entries: 5, updateEvery: 10 });
    c.addDimension('a');
    c.restore({ currentEntry: 2, counter: 7, lastUpdated: 1000 });
    assert.deepStrictEqual([c.firstSlot(), c.lastSlot(), c.firstEntryTime(), c.lastEntryTime(), c.timeToSlot(980)], [2, 1, 950, 1000, 4]);
  });
});
