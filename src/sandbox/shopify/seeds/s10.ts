import { hash32 } from '../../../util/prng';

/**
 * A UPU S10 item identifier (two service letters, eight-digit serial, mod-11 check digit, the issuing country), as
 * Royal Mail and Correios print on tracked parcels.
 */
export function s10FromSerial(prefix: string, serial: number, country: string): string {
  const body = String(serial % 100_000_000).padStart(8, '0');
  const weights = [8, 6, 4, 2, 3, 5, 9, 7];
  const sum = body.split('').reduce((acc, d, i) => acc + Number(d) * weights[i], 0);
  const rest = 11 - (sum % 11);
  const check = rest === 10 ? 0 : rest === 11 ? 5 : rest;
  return `${prefix}${body}${check}${country}`;
}

/** An S10 code derived from a key by hashing, so a seed gives the same code every time (collisions possible). */
export function s10Code(key: string, prefixes: readonly string[], country: string): string {
  return s10FromSerial(prefixes[hash32(`tracking:${key}`) % prefixes.length], hash32(`number:${key}`), country);
}
