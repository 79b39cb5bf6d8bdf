import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack, type LocalStack } from '../../src/sandbox/local-stack';
import { generateStore } from '../../src/sandbox/shopify/seeds/synthetic';
import type { SandboxStore } from '../../src/sandbox/shopify/store';
import { ManualClock } from '../../src/util/clock';
import { mulberry32 } from '../../src/util/prng';
import { openStateStore } from '../../src/state/store';
import { Outbox } from '../../src/state/outbox';
import { SANDBOX_STORE_ID, freePort, logLines, outboxDepth, sleepMs, spawnCli, writeMappings, type ChildDaemon } from '../helpers/child-daemon';
import { auditDelivery, NO_PROBLEMS, problems } from '../helpers/delivery-audit';
import { storeActivity } from '../helpers/store-activity';
import { replayIncidents } from '../helpers/incident-lines';

/**
 * Issue 5, guarantee 3: Klaviyo is down for a long stretch while `shipsignal run` (a child process, syncing every two
 * seconds) keeps polling a changing store. The outbox must grow on disk while the daemon's memory stays flat,
 * /readyz must answer 503 naming the sink, the log must say so once per incident rather than once per retry, a
 * drain that gives up must be resumed by the next scheduled run, and once Klaviyo is back everything must arrive
 * exactly once.
 *
 * The outage has to outlast the sink's whole retry policy (about 30–60 s without a Retry-After) for a run to give
 * up; SHIPSIGNAL_OUTAGE_SECONDS=<n> (default 80) makes it longer, SHIPSIGNAL_OUTAGE_ORDERS=<n> (default 800) the store.
 *
 * Known limit of the memory check (printed, not hidden): while a drain retries through the outage it holds the job
 * lock, so the store is polled about once per give-up and only a few MB of JSON are queued after the baseline; an
 * in-memory queue of that size would stay under the 128 MB bound too. The check becomes telling once every job runs
 * on its own schedule (issue 11 item 4) and the outage's changes are large; the figure printed says how much was
 * queued, so a reader can see whether the bound was tested.
 */
const OUTAGE_MS = Number(process.env.SHIPSIGNAL_OUTAGE_SECONDS ?? 80) * 1000;
const ORDERS = Number(process.env.SHIPSIGNAL_OUTAGE_ORDERS ?? 800);
const STORE_END = new Date('2026-01-01T00:00:00Z');
const DAY = 86_400_000;

interface Readiness {
  readonly status: number;
  readonly body: { ready: boolean; components: Record<string, { ok: boolean; lastError: string | null }> };
}

/** Readiness details (the error text) are shown only to a caller with the bearer token. */
const TOKEN = 'long-outage-token';

async function readiness(port: number): Promise<Readiness | null> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/readyz`, { headers: { authorization: `Bearer ${TOKEN}` } });
    return { status: response.status, body: (await response.json()) as Readiness['body'] };
  } catch {
    return null;
  }
}

const messages = (daemon: ChildDaemon): Array<Record<string, unknown>> => logLines(daemon.stdout());

/** The JSON size of everything waiting in the outbox: the least an in-memory queue of it would hold. */
async function queuedJsonBytes(stateUrl: string): Promise<number> {
  const store = await openStateStore(stateUrl, SANDBOX_STORE_ID);
  try {
    return (await new Outbox(store).waiting()).reduce((sum, record) => sum + Buffer.byteLength(JSON.stringify(record)), 0);
  } finally {
    await store.close();
  }
}

describe('long Klaviyo outage', () => {
  const clock = new ManualClock(STORE_END);
  let stack: LocalStack;
  let store: SandboxStore;
  let dir: string;

  beforeAll(async () => {
    store = generateStore({ orders: ORDERS, seed: 23, start: new Date(STORE_END.getTime() - 365 * DAY), spanDays: 365, clock });
    stack = await startLocalStack({ store, storeClock: clock, klaviyoRateLimits: 'documented' });
    dir = mkdtempSync(join(tmpdir(), 'shipsignal-outage-'));
    writeMappings(dir, ['placedOrder', 'orderedProduct']);
  });

  afterAll(async () => {
    await stack?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps polling into an outbox on disk, reports the sink down once, and drains everything once when it returns', async () => {
    const stateUrl = `sqlite://${join(dir, 'state.sqlite')}`;
    const port = await freePort();
    const random = mulberry32(5);
    const regulars = Array.from({ length: 30 }, () => Math.floor(random() * store.size));
    stack.klaviyo.faults.outage(true);
    const daemon = spawnCli('run', {
      ...stack.env,
      SHIPSIGNAL_STATE_URL: stateUrl,
      SHIPSIGNAL_MAPPINGS_DIR: dir,
      SHIPSIGNAL_NOW: clock.now().toISOString(),
      SHIPSIGNAL_HTTP_PORT: String(port),
      SHIPSIGNAL_SYNC_CRON: '*/2 * * * * *',
      SHIPSIGNAL_LOG_LEVEL: 'info',
      SHIPSIGNAL_HTTP_TOKEN: TOKEN,
    });
    try {
      const outageStarted = Date.now();
      const depths: number[] = [];
      const rss: Array<number | null> = [];
      let sawNotReady: Readiness | null = null;
      let changes = 0;
      while (Date.now() - outageStarted < OUTAGE_MS) {
        await sleepMs(2500);
        clock.advance(DAY);
        changes += storeActivity(store, random, regulars, `outage-${changes}`).length;
        depths.push(await outboxDepth(stateUrl));
        // Unreadable is a failure, not a zero: a daemon that died, or a platform without /proc, proves nothing.
        rss.push(daemon.rssBytes());
        const ready = await readiness(port);
        if (ready && ready.status === 503) sawNotReady = ready;
      }
      const failedRuns = messages(daemon).filter((line) => line.message === 'drain failed').length;
      // Baselines once the backfill is queued: from then on only the changes polled during the outage add up.
      const settled = depths.findIndex((depth) => depth > 0);
      const depthAtEnd = depths[depths.length - 1];
      const queuedBytes = await queuedJsonBytes(stateUrl);

      stack.klaviyo.faults.outage(false);
      const recoveryStarted = Date.now();
      // Done when the outbox is empty after every store change so far was polled (two scheduled runs later).
      let drained = false;
      while (!drained && Date.now() - recoveryStarted < 90_000) {
        await sleepMs(1000);
        const finished = messages(daemon).filter((line) => line.message === 'orders finished' && Date.parse(String(line.timestamp)) > recoveryStarted);
        drained = finished.length >= 2 && (await outboxDepth(stateUrl)) === 0;
      }
      const recoveryMs = Date.now() - recoveryStarted;
      const readyAgain = await readiness(port);
      daemon.kill('SIGTERM');
      expect(await daemon.exited).toEqual({ code: 0, signal: null });

      const lines = messages(daemon);
      const incidents = lines.filter((line) => line.message === 'klaviyo incident');
      const sinkLines = replayIncidents(lines);
      const refused = stack.klaviyo.requests().filter((request) => request.fault === 'outage').length;
      const audit = await auditDelivery(store, stack.klaviyo, stateUrl);
      const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
      console.log(
        `outage ${Math.round(OUTAGE_MS / 1000)} s: ${changes} store changes made meanwhile; outbox batches ${depths.join('→')}; `
        + `daemon RSS MB ${rss.map((b) => (b === null ? 'unreadable' : mb(b))).join('→')}; ${mb(queuedBytes)} MB of JSON queued at the outage's end; `
        + `${refused} requests refused, ${incidents.length} incident line(s), `
        + `${failedRuns} run(s) gave up and were resumed; drained ${Math.round(recoveryMs / 1000)} s after Klaviyo returned; `
        + `events checked=${audit.eventsChecked}, profiles checked=${audit.profilesChecked}, duplicates dropped=${audit.duplicatesDropped}, lost=${audit.counts.lost}`,
      );

      expect(drained).toBe(true);
      expect(problems(audit)).toEqual(NO_PROBLEMS);
      // The outbox grew on disk while Klaviyo was away: the backfill, then the changes polled during the outage.
      expect(settled).toBeGreaterThanOrEqual(0);
      expect(depthAtEnd).toBeGreaterThan(depths[settled]);
      // Memory stays flat while the outbox grows: well under what holding every queued record would need. The bound
      // leaves room for V8 heap growth and GC timing on a loaded 2-core machine (80 MB was seen exceeded by 2 MB).
      expect(rss.filter((b) => b === null)).toEqual([]);
      const readable = rss as number[];
      expect(Math.max(...readable.slice(settled)) - readable[settled]).toBeLessThan(128 * 2 ** 20);
      expect(sawNotReady?.body.ready).toBe(false);
      expect(sawNotReady?.body.components.klaviyo?.ok).toBe(false);
      expect(sawNotReady?.body.components.klaviyo?.lastError).toMatch(/unavailable|outage|503/i);
      // One line per endpoint that went down (and per change of its failures' kind: the drain after the outage may
      // meet 429s before its first success) and one when it came back, however many requests were refused.
      expect(refused).toBeGreaterThan(10);
      expect(incidents.length).toBeGreaterThan(0);
      expect(incidents.length).toBeLessThanOrEqual(6);
      expect(sinkLines.violations).toEqual([]);
      expect(sinkLines.open).toEqual([]);
      expect(sinkLines.recoveries).toBeGreaterThan(0);
      // A run whose drain gave up was followed by one that polled and drained (the test above saw both).
      expect(failedRuns).toBeGreaterThan(0);
      expect(readyAgain?.status).toBe(200);
    } finally {
      daemon.kill('SIGKILL');
    }
  }, 300_000);
});
