import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createServer } from 'node:net';
import { generateStore } from '../../src/sandbox/shopify/seeds/synthetic';
import { ManualClock } from '../../src/util/clock';
import { fromPackageRoot } from '../../src/util/package-root';
import { startHarness, type Harness } from '../helpers/daemon-harness';

/**
 * Issue 5, guarantee 6: with recognisable fake secrets configured, nothing shipsignal writes (logs, CLI output,
 * error messages, every file of the state: the SQLite file and its WAL and shared-memory files, where the latest
 * writes live until a checkpoint) contains any of them; HTTP endpoints other than health need the token.
 * The redaction itself is unit-tested in test/unit/logger-redaction.test.ts.
 */
const CANARIES = {
  shopifyAccessToken: 'shpat_canary_SHOPIFY_7c1e9f',
  klaviyoApiKey: 'pk_canary_KLAVIYO_4b2d8a',
  wrongKlaviyoKey: 'pk_canary_WRONGKEY_91f3c0',
  httpToken: 'canary-HTTP-TOKEN-5e7a',
  shopifyWebhookSecret: 'canary-SHOPIFY-WEBHOOK-2f6d',
  // A production-mode key (EZAK…): the store's parcels are real-looking codes, which a test-mode key may not track.
  easypostApiKey: 'EZAK_canary_EASYPOST_3d9b1f',
  wrongEasypostKey: 'EZAK_canary_WRONGKEY_6a0e2c',
  easypostWebhookSecret: 'canary-EASYPOST-WEBHOOK-8a4c',
};

/** Every file in the state's directory, as bytes: the SQLite file, and the WAL and shm files beside it. */
function stateFiles(stateUrl: string): Array<{ name: string; text: string }> {
  const dir = dirname(stateUrl.slice('sqlite://'.length));
  return readdirSync(dir).map((name) => ({ name, text: readFileSync(join(dir, name)).toString('latin1') }));
}

const freePort = () => new Promise<number>((resolve) => {
  const server = createServer().listen(0, '127.0.0.1', () => {
    const { port } = server.address() as { port: number };
    server.close(() => resolve(port));
  });
});

interface ChildResult { code: number | null; output: string }

function runCli(args: string[], env: Record<string, string>, untilLine?: RegExp, onReady?: () => Promise<void>): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fromPackageRoot('dist', 'src', 'cli', 'main.js'), ...args], { env: { ...process.env, ...env } });
    let output = '';
    let triggered = false;
    const collect = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (untilLine && onReady && !triggered && untilLine.test(output)) {
        triggered = true;
        onReady().then(() => child.kill('SIGTERM'), reject);
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('secrets never reach what shipsignal writes', () => {
  let harness: Harness;
  let baseEnv: Record<string, string>;

  beforeAll(async () => {
    const clock = new ManualClock(new Date('2024-06-01T00:00:00Z'));
    const store = generateStore({ orders: 150, seed: 3, clock, start: new Date('2024-01-01T00:00:00Z'), spanDays: 140 });
    harness = await startHarness({
      store, storeClock: clock, clock,
      credentials: { shopifyAccessToken: CANARIES.shopifyAccessToken, klaviyoApiKey: CANARIES.klaviyoApiKey, easypostApiKey: CANARIES.easypostApiKey },
      easypost: { webhookSecret: CANARIES.easypostWebhookSecret, listRatePerSecond: false },
      env: { SHIPSIGNAL_HTTP_TOKEN: CANARIES.httpToken, SHOPIFY_WEBHOOK_SECRET: CANARIES.shopifyWebhookSecret },
    });
    baseEnv = {
      ...harness.stack.env,
      SHIPSIGNAL_STATE_URL: harness.stateUrl,
      SHIPSIGNAL_NOW: '2024-06-01T00:00:00Z',
      SHIPSIGNAL_LOG_LEVEL: 'debug',
      SHIPSIGNAL_HTTP_TOKEN: CANARIES.httpToken,
      SHOPIFY_WEBHOOK_SECRET: CANARIES.shopifyWebhookSecret,
    };
  }, 60_000);

  afterAll(() => harness?.close());

  it('keeps every secret out of logs, CLI output, errors and state, and guards HTTP with the token', async () => {
    expect(harness.stack.env.KLAVIYO_API_KEY).toBe(CANARIES.klaviyoApiKey);
    expect(harness.stack.env.EASYPOST_API_KEY).toBe(CANARIES.easypostApiKey);
    await harness.app.syncOnce();
    // EasyPost was really used with the canary key: the store's live parcels got trackers.
    expect(harness.stack.easypost?.trackerCount).toBeGreaterThan(0);
    const written: string[] = [harness.logs()];

    // The daemon: token-guarded endpoints, a forged webhook, then a graceful stop.
    const port = await freePort();
    const daemon = await runCli(['run'], { ...baseEnv, SHIPSIGNAL_HTTP_PORT: String(port), SHIPSIGNAL_SYNC_CRON: '0 0 1 1 *' }, /shipsignal started/, async () => {
      const url = `http://127.0.0.1:${port}`;
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      expect((await fetch(`${url}/metrics`)).status).toBe(401);
      expect((await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
      const metrics = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${CANARIES.httpToken}` } });
      expect(metrics.status).toBe(200);
      written.push(await metrics.text());
      const forged = await fetch(`${url}/webhooks/shopify?token=${CANARIES.httpToken}`, {
        method: 'POST', body: '{"id":1}', headers: { 'x-shopify-hmac-sha256': 'Zm9yZ2Vk', 'x-shopify-topic': 'orders/updated' },
      });
      expect(forged.status).toBe(401);
    });
    expect(daemon.code).toBe(0);
    written.push(daemon.output);

    // A wrong key, with a change to push: the failure is reported, without the key.
    const store = harness.stack.shopify.store;
    store.refundOrder(store.recordAt(0).legacyId, '1.00');
    const failing = await runCli(['sync'], { ...baseEnv, KLAVIYO_API_KEY: CANARIES.wrongKlaviyoKey });
    expect(failing.code).toBe(1);
    expect(failing.output).toMatch(/401/);
    written.push(failing.output);
    const doctor = await runCli(['doctor'], { ...baseEnv, KLAVIYO_API_KEY: CANARIES.wrongKlaviyoKey });
    expect(doctor.code).toBe(1);
    expect(doctor.output).toMatch(/FAIL klaviyo: Klaviyo answered 401/);
    expect(doctor.output).toMatch(/ok {3}shopify/);
    written.push(doctor.output);
    // A wrong EasyPost key: the tracker poll fails with EasyPost's 401, reported without the key.
    const trackerless = await runCli(['sync'], { ...baseEnv, EASYPOST_API_KEY: CANARIES.wrongEasypostKey });
    expect(trackerless.code).toBe(1);
    expect(trackerless.output).toMatch(/401|not valid|unauthori[sz]ed/i);
    written.push(trackerless.output);
    // Read while the harness's daemon still has the store open: its last writes are in the WAL, not the main file.
    const files = stateFiles(harness.stateUrl);
    expect(files.map((f) => f.name)).toEqual(expect.arrayContaining(['state.sqlite', 'state.sqlite-wal']));
    written.push(...files.map((f) => f.text));

    const everything = written.join('\n');
    expect(everything.length).toBeGreaterThan(1000);
    for (const [name, secret] of Object.entries(CANARIES)) {
      expect({ name, leaked: everything.includes(secret) }).toEqual({ name, leaked: false });
    }
  }, 120_000);
});
