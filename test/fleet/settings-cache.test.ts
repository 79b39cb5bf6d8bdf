import { cpSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv, type Env } from '../../src/config/env';
import { loadSettings } from '../../src/config/load';
import { SettingsCache } from '../../src/fleet/settings-cache';
import { fromPackageRoot } from '../../src/util/package-root';

/**
 * A worker parses a set of settings files once for every store sharing them, and reads them afresh once a file
 * changes or a store's own shipsignal settings differ. Through the real loadSettings on copies of the packaged files.
 */
describe('a worker\'s settings cache', () => {
  let dir: string;
  let loads: Env[];
  let cache: SettingsCache;
  const env = (extra: Record<string, string> = {}) => parseEnv({
    SHIPSIGNAL_CONFIG_DIR: join(dir, 'config'), SHIPSIGNAL_MAPPINGS_DIR: join(dir, 'mappings'),
    SHOPIFY_STORE_DOMAIN: 'a.myshopify.com', SHOPIFY_ACCESS_TOKEN: 'shpat_a', KLAVIYO_API_KEY: 'pk_a', SHIPSIGNAL_STORE_ID: 'a', ...extra,
  });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'shipsignal-settings-cache-'));
    cpSync(fromPackageRoot('config'), join(dir, 'config'), { recursive: true });
    cpSync(fromPackageRoot('mappings'), join(dir, 'mappings'), { recursive: true });
    loads = [];
    cache = new SettingsCache((e) => {
      loads.push(e);
      return loadSettings(e);
    });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('shares one parse between stores differing only in provider variables and id', () => {
    const first = cache.get(env());
    const second = cache.get(env({ SHOPIFY_STORE_DOMAIN: 'b.myshopify.com', SHOPIFY_ACCESS_TOKEN: 'shpat_b', KLAVIYO_API_KEY: 'pk_b', SHIPSIGNAL_STORE_ID: 'b' }));
    expect(loads).toHaveLength(1);
    expect(second).toBe(first);
  });

  it('reads again for a store\'s own settings and after a file changed', () => {
    const first = cache.get(env());
    const cutoff = cache.get(env({ SHIPSIGNAL_LIVE_CUTOFF_HOURS: '12' }));
    expect(loads).toHaveLength(2);
    expect(cutoff.liveCutoffHours).toBe(12);
    expect(first.liveCutoffHours).not.toBe(12);
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(dir, 'config', 'lifecycle.yaml'), later, later);
    cache.get(env());
    expect(loads).toHaveLength(3);
    cache.get(env());
    expect(loads).toHaveLength(3);
  });

  it('caches no failure: a missing directory is reported on every build', () => {
    const missing = () => cache.get(env({ SHIPSIGNAL_CONFIG_DIR: join(dir, 'nowhere') }));
    expect(missing).toThrow(/SHIPSIGNAL_CONFIG_DIR/);
    expect(missing).toThrow(/SHIPSIGNAL_CONFIG_DIR/);
    expect(loads).toHaveLength(2);
  });
});
