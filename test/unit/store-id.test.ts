import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from '../../src/config/env';
import { resolveStoreId } from '../../src/daemon/store-id';
import { DEFAULT_NAMESPACE } from '../../src/state/keys';
import { Outbox } from '../../src/state/outbox';
import { openStateStore } from '../../src/state/store';

/**
 * An upgrade must not strand state: a deployment whose state lives under the namespace earlier versions used keeps
 * it; a new one gets the id derived from its store; SHIPSIGNAL_STORE_ID always wins.
 */
const base = { SHOPIFY_STORE_DOMAIN: 'gift-shop.myshopify.com', SHOPIFY_ACCESS_TOKEN: 'shpat_x', KLAVIYO_API_KEY: 'pk_x' };

describe('resolveStoreId', () => {
  it('a fresh state gets the store-derived id, and resolving creates no state file', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'store-id-')), 'state.sqlite');
    expect(await resolveStoreId(parseEnv({ ...base, SHIPSIGNAL_STATE_URL: `sqlite://${path}` }))).toBe('gift-shop.myshopify.com');
    expect(existsSync(path)).toBe(false);
  });

  it('state written under the old default namespace stays there, unless SHIPSIGNAL_STORE_ID says otherwise', async () => {
    const url = `sqlite://${join(mkdtempSync(join(tmpdir(), 'store-id-')), 'state.sqlite')}`;
    const legacy = await openStateStore(url, DEFAULT_NAMESPACE);
    await new Outbox(legacy).append([{ kind: 'profile', identity: { email: 'a@example.com', phoneNumber: null, externalId: null }, firstName: null, lastName: null, properties: { ss_segment: 'vip' } }]);
    await legacy.close();
    expect(await resolveStoreId(parseEnv({ ...base, SHIPSIGNAL_STATE_URL: url }))).toBe(DEFAULT_NAMESPACE);
    expect(await resolveStoreId(parseEnv({ ...base, SHIPSIGNAL_STATE_URL: url, SHIPSIGNAL_STORE_ID: 'gift-shop' }))).toBe('gift-shop');
  });
});
