import Keyv from 'keyv';
import KeyvSqlite from '@keyv/sqlite';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { decodeKeyv, encodeKeyv } from '../../src/state/keyv-codec';
import { openStateStore } from '../../src/state/store';

// Plain keyv 5 on the same file: our fast SQLite path must keep keyv's stored format. Our store prefixes keys
// with its namespace (`shipsignal:`), so plain keyv sees them under that prefix.
async function withLegacyKeyv<T>(path: string, use: (keyv: Keyv) => Promise<T>): Promise<T> {
  const keyv = new Keyv({ store: new KeyvSqlite({ uri: `sqlite://${path}`, table: 'keyv' }), namespace: 'shipsignal', useKeyPrefix: false });
  try {
    return await use(keyv);
  } finally {
    await keyv.disconnect();
  }
}

const tricky = { cursor: ':starts-with-colon', list: [':a', 'b', '::c'], nested: { at: '2026-01-01T00:00:00.000Z', n: 3, none: null } };

describe('state store batching and codec', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'state-codec-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('setMany writes in one statement what get/getMany and legacy keyv read back, last duplicate winning', async () => {
    const path = join(dir, 's.sqlite');
    const store = await openStateStore(`sqlite://${path}`);
    await store.setMany([['a', tricky], ['b', 42], ['c', ':x'], ['a', { ...tricky, n: 'last' }]]);
    expect(await store.get('a')).toEqual({ ...tricky, n: 'last' });
    expect(await store.getMany(['c', 'b', 'missing'])).toEqual([':x', 42, undefined]);
    await store.close();
    await withLegacyKeyv(path, async (keyv) => {
      expect(await keyv.get('shipsignal:a')).toEqual({ ...tricky, n: 'last' });
      expect(await keyv.get('shipsignal:c')).toBe(':x');
    });
  });

  it.each([16_000, 16_001])('setMany of %i entries (bound rows up to the parameter cap, one JSON array beyond) reads back', async (count) => {
    const store = await openStateStore(`sqlite://${join(dir, 'many.sqlite')}`);
    const entries = Array.from({ length: count }, (_, i) => [`k${i % (count - 1)}`, { i, s: i % 7 === 0 ? ':colon' : 'plain' }] as const);
    await store.setMany(entries);
    const read = await store.getMany<{ i: number; s: string }>([`k0`, `k1`, `k${count - 2}`]);
    // k0 appears twice: the later entry (index count - 1) wins.
    expect(read).toEqual([{ i: count - 1, s: (count - 1) % 7 === 0 ? ':colon' : 'plain' }, { i: 1, s: 'plain' }, { i: count - 2, s: (count - 2) % 7 === 0 ? ':colon' : 'plain' }]);
    await store.close();
  });

  it('reads what legacy keyv wrote', async () => {
    const path = join(dir, 'legacy.sqlite');
    await withLegacyKeyv(path, async (keyv) => {
      await keyv.set('shipsignal:k', tricky);
    });
    const store = await openStateStore(`sqlite://${path}`);
    expect(await store.get('k')).toEqual(tricky);
    await store.close();
  });

  it('round-trips any JSON value, colon-prefixed strings included', () => {
    const text = fc.oneof(fc.string(), fc.string().map((s) => `:${s}`));
    const json = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, text, fc.integer(), fc.boolean(), fc.constant(null), fc.array(tie('value')), fc.dictionary(text, tie('value'))),
    })).value;
    fc.assert(fc.property(json, (value) => {
      expect(decodeKeyv(encodeKeyv({ value }))).toEqual({ value });
    }));
  });
});
