import { moneyFromDecimal, toDecimalNumber, toDecimalString } from '../../src/model/money';
import { normalizeEmail, normalizePhone } from '../../src/model/identity';

describe('money from decimal strings', () => {
  it.each([
    ['129.90', 'BRL', 12990],
    ['0.005', 'USD', 1],
    ['0.004', 'USD', 0],
    ['1500', 'JPY', 1500],
    ['1.2345', 'KWD', 1235],
    ['-3.10', 'GBP', -310],
  ])('%s %s is %d minor units', (amount, currency, minor) => {
    expect(moneyFromDecimal(amount, currency)).toEqual({ minor, currency });
  });

  it('sums exactly where floats would not', () => {
    const total = ['0.10', '0.20'].map((a) => moneyFromDecimal(a, 'USD').minor).reduce((a, b) => a + b, 0);
    expect(toDecimalString({ minor: total, currency: 'USD' })).toBe('0.30');
    expect(toDecimalNumber({ minor: 1235, currency: 'KWD' })).toBe(1.235);
  });

  it.each(['', 'abc', '1,50', '1.2.3', '1e5'])('rejects %j', (amount) => {
    expect(() => moneyFromDecimal(amount, 'USD')).toThrow(RangeError);
  });
});

describe('identity normalization', () => {
  it('trims and lower-cases emails, refuses non-emails', () => {
    expect(normalizeEmail('  Maria.Souza@Example.COM ')).toBe('maria.souza@example.com');
    expect(normalizeEmail('not an email')).toBeNull();
    expect(normalizeEmail(null)).toBeNull();
  });

  it('keeps E.164 phone numbers only', () => {
    expect(normalizePhone('+1 (500) 555-0006')).toBe('+15005550006');
    expect(normalizePhone('5005550006')).toBeNull();
    expect(normalizePhone('+0123')).toBeNull();
  });
});
