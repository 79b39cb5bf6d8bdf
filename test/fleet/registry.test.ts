import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { ConfigError } from '../../src/config/yaml-file';
import { StoreRegistry } from '../../src/fleet/registry';
import { splitAssignments, storeEnv, workerDefaults } from '../../src/fleet/store-env';
import { TEST_POSTGRES } from '../helpers/fleet';

/** The store registry: secrets sealed at rest (the raw row never holds them), scoped per fleet, validated on entry. */
describe('store registry', () => {
  const fleet = `tr${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const key = randomBytes(32);
  const canary = `pk_canary_${randomBytes(8).toString('hex')}`;
  let registry: StoreRegistry;
  let other: StoreRegistry;
  const pool = new Pool({ connectionString: TEST_POSTGRES, max: 1 });

  beforeAll(async () => {
    registry = await StoreRegistry.open(TEST_POSTGRES, fleet, key);
    other = await StoreRegistry.open(TEST_POSTGRES, `${fleet}x`, key);
  });
  afterAll(async () => {
    await registry.remove('shop-a');
    await Promise.all([registry.close(), other.close(), pool.end()]);
  });

  it('seals secrets, lists names only, and keeps fleets apart', async () => {
    const vars = splitAssignments([`KLAVIYO_API_KEY=${canary}`, 'SHOPIFY_STORE_DOMAIN=shop-a.myshopify.com', 'SHOPIFY_ACCESS_TOKEN=shpat_canary_token', 'SHIPSIGNAL_LIVE_CUTOFF_HOURS=48']);
    expect(vars.settings).toEqual({ SHOPIFY_STORE_DOMAIN: 'shop-a.myshopify.com', SHIPSIGNAL_LIVE_CUTOFF_HOURS: '48' });
    await registry.put('shop-a', vars, { everyMs: 60_000, reviewsEveryMs: 3_600_000 });

    const raw = await pool.query('SELECT * FROM public.shipsignal_fleet_stores WHERE fleet = $1', [fleet]);
    expect(raw.rows).toHaveLength(1);
    expect(JSON.stringify(raw.rows[0])).not.toContain(canary);
    expect(JSON.stringify(raw.rows[0])).not.toContain('shpat_canary_token');

    const [listed] = await registry.list();
    expect(listed).toMatchObject({ id: 'shop-a', paused: false, everyMs: 60_000, secretNames: ['KLAVIYO_API_KEY', 'SHOPIFY_ACCESS_TOKEN'] });
    expect(JSON.stringify(listed)).not.toContain(canary);
    expect((await registry.variables('shop-a'))?.secrets.KLAVIYO_API_KEY).toBe(canary);
    expect(await other.list()).toEqual([]);

    const before = listed.version;
    expect(await registry.setPaused('shop-a', true)).toBe(true);
    const paused = await registry.get('shop-a');
    expect(paused?.paused).toBe(true);
    expect(paused?.version).not.toBe(before);
  });

  it('refuses unknown and fleet-owned variables and validates a store as the daemon would', () => {
    expect(() => splitAssignments(['NOT_A_VARIABLE=1', 'SHIPSIGNAL_STATE_URL=sqlite://x', 'KLAVIYO_API_KEY'])).toThrow(ConfigError);
    const problems = (() => {
      try {
        storeEnv('shop-b', TEST_POSTGRES, {}, splitAssignments(['SHOPIFY_STORE_DOMAIN=shop-b.myshopify.com']));
        return [];
      } catch (error) {
        return (error as ConfigError).problems;
      }
    })();
    expect(problems.join('\n')).toMatch(/store shop-b: environment SHOPIFY_ACCESS_TOKEN/);
    expect(problems.join('\n')).toMatch(/store shop-b: environment KLAVIYO_API_KEY/);
    // A store's own Klaviyo limits: the format checked by the schema, the endpoints where the sink's limits are.
    const problemsOf = (assignments: string[]): string => {
      try {
        storeEnv('shop-c', TEST_POSTGRES, {}, splitAssignments(['SHOPIFY_STORE_DOMAIN=shop-c.myshopify.com', 'SHOPIFY_ACCESS_TOKEN=t', 'KLAVIYO_API_KEY=pk_c', ...assignments]));
        return '';
      } catch (error) {
        return (error as ConfigError).problems.join('\n');
      }
    };
    expect(problemsOf(['KLAVIYO_RATE_LIMITS=bulkCreateEvents=2/30,jobStatus=1/15', 'KLAVIYO_MAX_EVENTS_PER_BULK=10'])).toBe('');
    expect(problemsOf(['KLAVIYO_RATE_LIMITS=bulkCreateEvents:2'])).toMatch(/KLAVIYO_RATE_LIMITS.*endpoint=burst\/steady/);
    expect(problemsOf(['KLAVIYO_RATE_LIMITS=bulkEvents=2/30'])).toMatch(/store shop-c: environment KLAVIYO_RATE_LIMITS: "bulkEvents=2\/30": unknown endpoint bulkEvents \(allowed: createEvent, bulkCreateEvents/);
    expect(problemsOf(['KLAVIYO_RATE_LIMITS=jobStatus=0/15'])).toMatch(/at least 1/);
    expect(problemsOf(['KLAVIYO_MAX_EVENTS_PER_BULK=1001'])).toMatch(/KLAVIYO_MAX_EVENTS_PER_BULK/);
    // A worker's provider credentials never become a store's defaults.
    expect(workerDefaults({ KLAVIYO_API_KEY: 'pk_worker', SHIPSIGNAL_LOG_LEVEL: 'warn', SHIPSIGNAL_STORE_ID: 'x' })).toEqual({ SHIPSIGNAL_LOG_LEVEL: 'warn' });
  });
});
