// Seeded xorshift32 for the randomized specs: reproducible, no host import
// (Math.random would need one).

let state: u32 = 0x9e3779b9;

export function seed(value: u32): void {
  state = value != 0 ? value : 0x9e3779b9;
}

export function next(): u32 {
  let x = state;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  state = x;
  return x;
}

/** Uniform-ish integer in [0, n) (n > 0). */
export function below(n: u32): u32 {
  return next() % n;
}

/** Integer in [lo, hi] (lo <= hi). */
export function between(lo: u32, hi: u32): u32 {
  return lo + below(hi - lo + 1);
}

/** True with probability percent/100. */
export function chance(percent: u32): bool {
  return below(100) < percent;
}
