import { freePort, sleepMs, spawnCli, type ChildDaemon } from '../helpers/child-daemon';
import { fleetEnv, obliterateFleet, testFleet } from '../helpers/fleet';

/**
 * The worker's HTTP face: probes open, the fleet view and Bull Board behind the token (Bull Board via its cookie).
 * Through the built CLI (`npm run build` first when run alone): Bull Board's static-file plugin requires an ES
 * module, which Node loads and jest's module runtime does not.
 */
describe('fleet worker HTTP', () => {
  const fleet = testFleet();
  const token = 'fleet-http-test-token-0123456789';
  let worker: ChildDaemon;
  let base: string;

  beforeAll(async () => {
    const port = await freePort();
    worker = spawnCli('worker', { ...fleetEnv(fleet), SHIPSIGNAL_HTTP_PORT: String(port), SHIPSIGNAL_HTTP_TOKEN: token, SHIPSIGNAL_LOG_LEVEL: 'error' });
    base = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 100; i++) {
      if (await fetch(`${base}/healthz`).then((r) => r.ok, () => false)) return;
      await sleepMs(100);
    }
    throw new Error(`worker did not listen: ${worker.stderr()}`);
  }, 30_000);

  afterAll(async () => {
    worker?.kill('SIGTERM');
    const exit = await worker?.exited;
    await obliterateFleet(fleet);
    expect(exit?.code).toBe(0);
  });

  it('answers probes to anyone and everything else only with the token', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/fleet`)).status).toBe(401);
    const view = await fetch(`${base}/fleet`, { headers: { authorization: `Bearer ${token}` } });
    expect(view.status).toBe(200);
    expect(await view.json()).toEqual({ stores: [] });
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    expect((await fetch(`${base}/queues/`)).status).toBe(401);
    expect((await fetch(`${base}/queues/api/queues`)).status).toBe(401);
    expect((await fetch(`${base}/queues/?token=wrong-token`)).status).toBe(401);

    const opened = await fetch(`${base}/queues/?token=${token}`);
    expect(opened.status).toBe(200);
    expect(opened.headers.get('content-security-policy')).toContain("script-src 'self'");
    const cookie = (opened.headers.get('set-cookie') ?? '').split(';')[0];
    expect(cookie).toMatch(/^shipsignal_token=/);
    const api = await fetch(`${base}/queues/api/queues`, { headers: { cookie } });
    expect(api.status).toBe(200);
    expect(JSON.stringify(await api.json())).toContain('jobs');
  }, 30_000);
});
