// Part of the harness shared by the tests, the drills and the benchmarks: no vitest imports here.
// Seeded randomness: a failing fuzz case or drill reproduces from its seed.

export interface Rng {
  /** [0, 1) */
  next(): number
  /** integer in [min, max] */
  int(min: number, max: number): number
  pick<T>(xs: readonly T[]): T
  chance(p: number): boolean
  /** an independent stream derived from this one (so adding draws in one place does not shift another) */
  fork(label: string): Rng
}

/** xoshiro128** seeded through splitmix32. */
export function rng(seed: number): Rng {
  let s = seed >>> 0
  const split = (): number => {
    s = (s + 0x9e3779b9) >>> 0
    let z = s
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
    return (z ^ (z >>> 16)) >>> 0
  }
  const st = [split(), split(), split(), split()]
  const rotl = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0
  const next = (): number => {
    const result = Math.imul(rotl(Math.imul(st[1], 5) >>> 0, 7), 9) >>> 0
    const t = (st[1] << 9) >>> 0
    st[2] ^= st[0]
    st[3] ^= st[1]
    st[1] ^= st[2]
    st[0] ^= st[3]
    st[2] ^= t
    st[3] = rotl(st[3], 11)
    return result / 4294967296
  }
  const r: Rng = {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (xs) => xs[Math.floor(next() * xs.length)],
    chance: (p) => next() < p,
    fork: (label) => {
      let h = Math.floor(next() * 4294967296) >>> 0
      for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0
      return rng(h)
    },
  }
  return r
}
