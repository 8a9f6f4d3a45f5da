// The long double models of the fallback (SPEC §2.5, §7 row 24): ld80.ts (BigInt, the oracle)
// checked against exact rational arithmetic, the "%0.7Lf" printer against Appendix B and an
// independent decimal expansion, ld-soft.ts (the fast exact model) against ld80.ts, and the
// decimal writers.
import * as assert from 'assert';
import {
  LD, ldFromDouble, ldToDouble, ldAdd, ldMulInt, ldDivInt, ldToRational, ldCompare, LD_ZERO, LD_NEG_ZERO, ldRound,
} from '../lib/kernels/fallback/ld80';
import { ldToF7 } from '../lib/kernels/fallback/ld-print';
import { unpackExact } from '../lib/kernels/fallback/sn-exact';
import {
  REG, R0, R1, R2, softFromLD, softToLD, softAdd, softDivSmall, softDiv10, softMulSmall, softUnits7, softToDouble,
  softUnpack, SMALL_MAX,
} from '../lib/kernels/fallback/ld-soft';
import { writeInt64, writeUint64Time, units7ToString } from '../lib/kernels/fallback/decimal';

/** xorshift32: deterministic random numbers for the randomised checks. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x / 4294967296;
  };
}

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);
function randomDouble(r: () => number): number {
  for (;;) {
    u64[0] = (BigInt(Math.floor(r() * 2 ** 32)) << 32n) | BigInt(Math.floor(r() * 2 ** 32));
    if (Number.isFinite(f64[0])) return f64[0];
  }
}

function randomLD(r: () => number): LD {
  let m = (BigInt(Math.floor(r() * 2 ** 31) + 2 ** 31) << 32n) | BigInt(Math.floor(r() * 2 ** 32));
  const t = r();
  if (t < 0.15) m = (m >> 24n) << 24n;
  else if (t < 0.2) m = 1n << 63n;
  else if (t < 0.25) m = (1n << 64n) - 1n;
  return { neg: r() < 0.4, m, e: Math.floor(r() * 80) - 110 };
}

/** Checks that x is the round-to-nearest-even 64-bit value of the exact rational num/den. */
function assertRoundedFrom(x: LD, num: bigint, den: bigint, what: string): void {
  const neg = num < 0n;
  const n = neg ? -num : num;
  if (n === 0n) {
    assert.strictEqual(x.m, 0n, `${what}: exact zero`);
    return;
  }
  assert.strictEqual(x.neg, neg, `${what}: sign`);
  assert.ok(x.m >= 1n << 63n && x.m < 1n << 64n, `${what}: mantissa normalised`);
  // |x - exact| * den * 2^-e compared with half an ulp: work in integers scaled by 2^-e (e < 0 here).
  const { num: xn, den: xd } = ldToRational({ ...x, neg: false });
  // diff = xn/xd - n/den  ->  (xn*den - n*xd) / (xd*den); ulp = 2^x.e
  const diffNum = xn * den - n * xd;
  const scale = xd * den;
  const ulpNum = x.e >= 0 ? (1n << BigInt(x.e)) * scale : scale;
  const ulpDen = x.e >= 0 ? 1n : 1n << BigInt(-x.e);
  // |diff| <= ulp/2  <=>  2*|diffNum|*ulpDen <= ulpNum
  const lhs = 2n * (diffNum < 0n ? -diffNum : diffNum) * ulpDen;
  assert.ok(lhs <= ulpNum, `${what}: more than half an ulp away`);
  if (lhs === ulpNum) assert.strictEqual(x.m & 1n, 0n, `${what}: a tie must round to even`);
  // A power-of-two result rounded from below has a finer ulp there: check against it too.
  if (x.m === 1n << 63n && diffNum > 0n) assert.ok(lhs <= ulpNum / 2n, `${what}: too far above a power of two`);
}

describe('ld80: BigInt model of the x87 long double (SPEC §2.5)', () => {
  it('converts every double exactly, subnormals included, and back (ldToDouble of an exact double is itself)', () => {
    const r = rng(7);
    for (let i = 0; i < 3000; i++) {
      const x = randomDouble(r);
      const ld = ldFromDouble(x);
      const { num, den } = ldToRational(ld);
      // x is exactly num/den: compare through the exact decimal of both sides.
      assert.ok(Object.is(ldToDouble(ld), x), `round trip of ${x}`);
      if (x !== 0) assert.ok(den > 0n && (num < 0n) === (x < 0), `sign of ${x}`);
    }
    assert.ok(Object.is(ldToDouble(ldFromDouble(-0)), -0));
    assert.ok(Object.is(ldToDouble(ldFromDouble(5e-324)), 5e-324));
  });

  it('add, multiply and divide round the exact result to 64 bits, ties to even', () => {
    const r = rng(11);
    for (let i = 0; i < 1500; i++) {
      const a = randomLD(r);
      const b = r() < 0.3 ? { ...randomLD(r), e: a.e - Math.floor(r() * 70) } : randomLD(r);
      const ra = ldToRational(a);
      const rb = ldToRational(b);
      assertRoundedFrom(ldAdd(a, b), ra.num * rb.den + rb.num * ra.den, ra.den * rb.den, `add #${i}`);
      const k = 1 + Math.floor(r() * 5000000);
      assertRoundedFrom(ldMulInt(a, k), ra.num * BigInt(k), ra.den, `mul #${i}`);
      assertRoundedFrom(ldDivInt(a, k), ra.num, ra.den * BigInt(k), `div #${i}`);
    }
  });

  it('gives +0 for an exact cancellation and keeps -0 only for -0 + -0 (round to nearest)', () => {
    const x = ldFromDouble(1.5);
    const y = ldFromDouble(-1.5);
    assert.strictEqual(ldAdd(x, y).neg, false);
    assert.strictEqual(ldAdd(y, x).m, 0n);
    assert.strictEqual(ldAdd(LD_NEG_ZERO, LD_NEG_ZERO).neg, true);
    assert.strictEqual(ldAdd(LD_ZERO, LD_NEG_ZERO).neg, false);
    assert.strictEqual(ldCompare(LD_ZERO, LD_NEG_ZERO), 0);
  });

  it('rounds 1 + 2^-64 (a tie) to 1 and 1 + 3 * 2^-65 up: 64 bits, not 53', () => {
    const one = ldFromDouble(1);
    assert.strictEqual(ldAdd(one, ldFromDouble(2 ** -64)).m, 1n << 63n);
    const up = ldAdd(one, ldFromDouble(3 * 2 ** -65));
    assert.strictEqual(up.m, (1n << 63n) + 1n);
    // and a double would have lost it entirely
    assert.strictEqual(1 + 3 * 2 ** -65, 1);
  });
});

describe('"%0.7Lf" printing (SPEC §2.5, Appendix B)', () => {
  it('prints the Appendix B examples', () => {
    assert.strictEqual(ldToF7(ldFromDouble(0.00390625)), '0.0039062'); // tie to even; toFixed says 0.0039063
    assert.strictEqual((0.00390625).toFixed(7), '0.0039063');
    assert.strictEqual(ldToF7(ldFromDouble(-3.3e-8)), '-0.0000000');
    assert.strictEqual(ldToF7(unpackExact(0x7d5814d5)), '577250100000000000000.0000000');
    assert.strictEqual(ldToF7(ldFromDouble(-0)), '-0.0000000');
    assert.strictEqual(ldToF7(LD_ZERO), '0.0000000');
  });

  it('equals the exact decimal expansion (toFixed below 1e21, which is exact there) except on -0 and exact ties', () => {
    const r = rng(5);
    let compared = 0;
    for (let i = 0; i < 4000; i++) {
      const x = (r() < 0.5 ? -1 : 1) * 10 ** (r() * 28 - 9) * (1 + r());
      if (Math.abs(x) >= 1e21) {
        // No exponent ever: the integer digits are the exact binary value.
        const s = ldToF7(ldFromDouble(x));
        assert.strictEqual(s, (x < 0 ? '-' : '') + BigInt(Math.abs(x)).toString() + '.0000000');
        continue;
      }
      // An exact tie needs x * 10^7 to end in .5 exactly: detect with BigInt and skip those.
      const { num, den } = ldToRational(ldFromDouble(x));
      if (((num < 0n ? -num : num) * 10000000n * 2n) % den === 0n && den > 1n) continue;
      assert.strictEqual(ldToF7(ldFromDouble(x)), x.toFixed(7), `x = ${x}`);
      compared++;
    }
    assert.ok(compared > 2500);
  });
});

describe('ld-soft: the fast exact model equals the BigInt model', () => {
  const same = (a: LD, b: LD): boolean => a.neg === b.neg && a.m === b.m && (a.m === 0n || a.e === b.e);

  it('add, mulSmall, divSmall, div10, units7 and toDouble on random and adversarial operands', () => {
    const r = rng(21);
    for (let i = 0; i < 6000; i++) {
      const a = r() < 0.05 ? (r() < 0.5 ? LD_ZERO : LD_NEG_ZERO) : randomLD(r);
      let b = randomLD(r);
      const t = r();
      if (t < 0.25 && a.m !== 0n) {
        // near cancellation
        b = ldRound(!a.neg, a.m - BigInt(Math.floor(r() * 5000)) * (r() < 0.5 ? 1n : 1n << 30n), a.e, false);
      } else if (t < 0.45 && a.m !== 0n) {
        // exponent gaps around 64..67, where the addend stops mattering
        b = { ...b, e: a.e - 60 - Math.floor(r() * 10) };
      }
      softFromLD(R0, a);
      softFromLD(R1, b);
      softAdd(R2, R0, R1);
      assert.ok(same(softToLD(R2), ldAdd(a, b)), `add #${i}`);
      const k = 1 + Math.floor(r() * (r() < 0.5 ? 20 : SMALL_MAX));
      softFromLD(R0, a);
      softDivSmall(R0, k);
      assert.ok(same(softToLD(R0), ldDivInt(a, k)), `div #${i} by ${k}`);
      softFromLD(R0, a);
      softDiv10(R0);
      assert.ok(same(softToLD(R0), ldDivInt(a, 10)), `div10 #${i}`);
      softFromLD(R0, a);
      softMulSmall(R0, k);
      assert.ok(same(softToLD(R0), ldMulInt(a, k)), `mul #${i} by ${k}`);
      softFromLD(R0, a);
      const d = softToDouble(R0);
      assert.ok(Object.is(d, ldToDouble(a)), `toDouble #${i}`);
      const units = softUnits7(R0);
      const exact = ldToF7(a).replace('-', '').replace('.', '');
      if (units >= 0) assert.strictEqual(BigInt(units), BigInt(exact), `units7 #${i}`);
      else assert.ok(BigInt(exact) >= 2n ** 53n, `units7 #${i} declined below 2^53`);
    }
  });

  it('unpacks every kind of word like the BigInt model (SPEC §2.3)', () => {
    const r = rng(3);
    for (let hb = 0; hb < 256; hb++) {
      for (let j = 0; j < 12; j++) {
        const low = j === 0 ? 0 : j === 1 ? 0xffffff : Math.floor(r() * 0x1000000);
        const w = (hb * 2 ** 24 + low) >>> 0;
        softUnpack(R0, w);
        assert.ok(same(softToLD(R0), unpackExact(w)), `word 0x${w.toString(16)}`);
      }
    }
    assert.strictEqual(REG.length, 16);
  });
});

describe('decimal writers ("%lld", "%llu", "%0.7Lf" of exact units)', () => {
  const text = (f: (out: Uint8Array, pos: number) => number): string => {
    const out = new Uint8Array(64);
    return Buffer.from(out.subarray(3, f(out, 3))).toString('latin1');
  };

  it('writeInt64 equals BigInt printing over the whole int64 range', () => {
    const r = rng(9);
    const cases = [0n, -1n, 1n, 9007199254740991n, -9007199254740991n, 9007199254740992n, -(2n ** 63n), 2n ** 63n - 1n];
    for (let i = 0; i < 500; i++) cases.push(BigInt.asIntN(64, (BigInt(Math.floor(r() * 2 ** 32)) << 32n) | BigInt(Math.floor(r() * 2 ** 32))) >> BigInt(Math.floor(r() * 60)));
    for (const v of cases) assert.strictEqual(text((o, p) => writeInt64(o, p, v)), v.toString());
  });

  it('writeUint64Time prints (unsigned long long)(time_t)t: negatives wrap (SPEC §2.5)', () => {
    for (const t of [0, 1, 1561630797, 4294967296, 9007199254740991, -1, -1561630797]) {
      assert.strictEqual(text((o, p) => writeUint64Time(o, p, t)), BigInt.asUintN(64, BigInt(t)).toString());
    }
  });

  it('units7ToString inserts the decimal point of an exact number of 1e-7 units', () => {
    const r = rng(13);
    for (let i = 0; i < 2000; i++) {
      const u = Math.floor(r() * 2 ** (r() * 53));
      const s = u.toString().padStart(8, '0');
      assert.strictEqual(units7ToString(i % 2 === 1, u), (i % 2 === 1 ? '-' : '') + s.slice(0, -7) + '.' + s.slice(-7));
    }
    assert.strictEqual(units7ToString(false, 9007199254740991), '900719925.4740991');
  });
});
