// Counters of the fast paths' fall-backs to the BigInt long double emulation. Tests use them to
// prove that their adversarial inputs really reach the slow path; benchmarks report them.
export const slowPathStats = {
  pack: 0,
  unpack: 0,
  value: 0,
};

export function resetSlowPathStats(): void {
  slowPathStats.pack = 0;
  slowPathStats.unpack = 0;
  slowPathStats.value = 0;
}
