import type { Env } from '../config/env';
import { loadSettings } from '../config/load';
import { composeAdapters, configurationProblems, storeIdOf, type Adapters } from '../daemon/compose';
import { resolveStoreId } from '../daemon/store-id';
import { createLogger } from '../observability/logger';
import { createMetrics } from '../observability/metrics';
import { CursorRepository } from '../state/repositories';
import { openStateStore } from '../state/store';
import { redactText } from '../observability/logger';
import { systemClock } from '../util/clock';
import { PassThrough } from 'node:stream';
import { checkHoldShare } from './doctor-holds';
import { runSetup } from './setup';
import { describeKind } from './setup-report';

export interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

/**
 * Checks configuration and credentials against the configured endpoints; one line per check: the config files,
 * the state store (under this store's namespace), and each configured port's own cheap authenticated read.
 */
export async function doctor(env: Env): Promise<Check[]> {
  const checks: Check[] = [];
  const check = async (name: string, probe: () => Promise<string>) => {
    try {
      checks.push({ name, ok: true, detail: await probe() });
    } catch (error) {
      checks.push({ name, ok: false, detail: redactText((error as Error).message.split('\n')[0]) });
    }
  };
  await check('config files', async () => {
    const settings = loadSettings(env);
    return `${Object.keys(settings.mapping.profile.properties).length} profile properties mapped`;
  });
  const problems = configurationProblems(env);
  if (problems.length > 0) {
    for (const problem of problems) checks.push({ name: 'environment', ok: false, detail: problem });
    return checks;
  }
  const abort = new AbortController();
  const adapters: Adapters = composeAdapters(env, {
    clock: systemClock,
    logger: createLogger('error', new PassThrough()),
    metrics: createMetrics(),
    signal: abort.signal,
    incident: () => undefined,
    rejected: () => undefined,
    quick: true,
  });
  // An unreachable state store is the 'state store' check's to report, not a reason to stop doctor here.
  const storeId = await resolveStoreId(env).catch(() => storeIdOf(env));
  await check('state store', async () => {
    const store = await openStateStore(env.SHIPSIGNAL_STATE_URL, storeId);
    try {
      const cursor = await new CursorRepository<unknown>(store, adapters.orders.name).get();
      return `${env.SHIPSIGNAL_STATE_URL.split('://')[0]}, store ${storeId}, ${cursor === null ? 'no orders read yet' : 'orders cursor saved'}`;
    } finally {
      await store.close();
    }
  });
  await check('delivery holds', () => checkHoldShare(env, storeId));
  let degraded: readonly string[] = [];
  await check(adapters.orders.name, async () => {
    const result = await adapters.orders.check(abort.signal);
    degraded = result.missing ?? [];
    return result.detail;
  });
  // Reachable but short of a scope: the source works, a capability is off, and doctor says so as a failing line.
  for (const problem of degraded) checks.push({ name: `${adapters.orders.name} scopes`, ok: false, detail: problem });
  if (adapters.tracking) {
    const { tracking } = adapters;
    await check(tracking.name, async () => (await tracking.check(abort.signal)).detail);
  }
  await check(adapters.destination.name, async () => (await adapters.destination.check(abort.signal)).detail);
  // One inspecting dry run (lookups only) for both lines; a failure of the run itself fails both.
  const starter = runSetup(env, true, { inspect: true });
  starter.catch(() => undefined);
  await check('starter segments', async () => {
    const result = await starter;
    return describeKind('segment', result, result.stored);
  });
  await check('starter flows', async () => {
    const result = await starter;
    return describeKind('flow', result, result.stored);
  });
  await adapters.destination.close();
  abort.abort();
  return checks;
}
