/** Deterministic randomness for the sandboxes, fault schedules and synthetic data: the same seed replays exactly. */
export type Random = () => number;

/** mulberry32: tiny, fast, and good enough for test data and fault schedules. */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a, 32 bits: a stable hash for turning source ids into synthetic names and numbers. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Standard normal deviate (Box-Muller), for lognormal distributions. */
export function normal(random: Random): number {
  const u = Math.max(random(), Number.EPSILON);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** Integer in [min, max], both inclusive. */
export function randomInt(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** `bytes` random bytes as lowercase hex, for EasyPost-style ids (`trk_` + 32 hex). */
export function randomHex(random: Random, bytes: number): string {
  let out = '';
  for (let i = 0; i < bytes; i++) out += randomInt(random, 0, 255).toString(16).padStart(2, '0');
  return out;
}
