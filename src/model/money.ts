/**
 * Money is held as integer minor units (cents) with its ISO 4217 currency, so sums are exact.
 * Conversion from the providers' decimal strings happens once, at the source edge.
 */
export interface Money {
  readonly minor: number;
  readonly currency: string;
}

/** Digits after the decimal point per ISO 4217; currencies not listed use 2. */
const MINOR_DIGITS: Readonly<Record<string, number>> = {
  BHD: 3, BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JOD: 3, JPY: 0, KMF: 0, KRW: 0, KWD: 3, LYD: 3,
  OMR: 3, PYG: 0, RWF: 0, TND: 3, UGX: 0, VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
};

export function minorDigits(currency: string): number {
  return MINOR_DIGITS[currency] ?? 2;
}

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

/** Parses a decimal string such as "129.90" without going through a float. Throws on malformed input. */
export function moneyFromDecimal(amount: string, currency: string): Money {
  const match = DECIMAL.exec(amount.trim());
  if (!match) throw new RangeError(`not a decimal amount: ${JSON.stringify(amount)}`);
  const digits = minorDigits(currency);
  const [, sign, whole, fraction = ''] = match;
  const padded = (fraction + '0'.repeat(digits)).slice(0, digits);
  const roundUp = fraction.length > digits && Number(fraction[digits]) >= 5 ? 1 : 0;
  const minor = Number(whole) * 10 ** digits + Number(padded || '0') + roundUp;
  if (!Number.isSafeInteger(minor)) throw new RangeError(`amount out of range: ${amount}`);
  return { minor: sign ? -minor : minor, currency };
}

/** The amount as a decimal number for Klaviyo's `value` fields, rounded to the currency's digits. */
export function toDecimalNumber(money: Money): number {
  return money.minor / 10 ** minorDigits(money.currency);
}

export function toDecimalString(money: Money): string {
  return toDecimalNumber(money).toFixed(minorDigits(money.currency));
}
