import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import YAML from 'yaml';
import { fromPackageRoot, packageRoot } from '../../src/util/package-root';
import { openStateStore } from '../../src/state/store';
import { Outbox } from '../../src/state/outbox';
import { CustomerRepository } from '../../src/state/customers';
import type { CustomerAggregate } from '../../src/model/customer';
import type { ProductStats } from '../../src/enrichment/products';
import { DurableLog } from '../../src/state/durable-log';
import { LOGS, productStatsKey } from '../../src/state/keys';

/**
 * The built CLI run as a real child process, for tests that must kill it (SIGKILL, SIGTERM) at arbitrary points.
 * `npm test` compiles to dist/ before jest; when running a single file with `npx jest`, run `npm run build` first.
 */
export function cliEntry(): string {
  const entry = fromPackageRoot('dist', 'src', 'cli', 'main.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` (npm test does it) before this test`);
  return entry;
}

export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface ChildDaemon {
  readonly pid: number;
  readonly exited: Promise<ChildExit>;
  /** Everything the child wrote to stdout (JSON log lines, the sync report), so far. */
  stdout(): string;
  stderr(): string;
  kill(signal: NodeJS.Signals): void;
  /** Resident set size in bytes from /proc, or null once the child is gone. */
  rssBytes(): number | null;
}

export function spawnCli(command: 'run' | 'sync' | 'worker', env: Readonly<Record<string, string>>): ChildDaemon {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(SHIPSIGNAL|SHOPIFY|KLAVIYO|EASYPOST)_/.test(key)));
  const child: ChildProcess = spawn(process.execPath, [cliEntry(), command], {
    cwd: packageRoot(),
    env: { ...inherited, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not spawn shipsignal ${command}`);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
  const exited = new Promise<ChildExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const pid = child.pid;
  return {
    pid,
    exited,
    stdout: () => Buffer.concat(out).toString('utf8'),
    stderr: () => Buffer.concat(err).toString('utf8'),
    kill: (signal) => void child.kill(signal),
    rssBytes: () => {
      try {
        const pages = Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]);
        return pages * 4096;
      } catch {
        return null;
      }
    },
  };
}

/** JSON log lines the child wrote (non-JSON lines, such as the pretty-printed sync report, are skipped). */
export function logLines(text: string): Array<Record<string, unknown>> {
  return text.split('\n').flatMap((line) => {
    if (!line.startsWith('{')) return [];
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

/** A copy of mappings/klaviyo.yaml in `dir` with the named order events (`placedOrder`, …) switched on. */
export function writeMappings(dir: string, enable: readonly string[]): string {
  const config = YAML.parse(readFileSync(fromPackageRoot('mappings', 'klaviyo.yaml'), 'utf8')) as { events: Record<string, { enabled: boolean }> };
  for (const name of enable) {
    if (!config.events[name]) throw new Error(`no event ${name} in mappings/klaviyo.yaml`);
    config.events[name].enabled = true;
  }
  writeFileSync(join(dir, 'klaviyo.yaml'), YAML.stringify(config));
  return dir;
}

/** A port free right now on loopback, for a child's HTTP server. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The tenant namespace a daemon against the sandboxes uses: SHIPSIGNAL_STORE_ID defaults to the store's domain,
 * the Shopify sandbox's default shop.
 */
export const SANDBOX_STORE_ID = 'shipsignal-sandbox.myshopify.com';

/** The daemon's state file as a test sees it once the child is gone: outbox depth and every customer aggregate. */
export interface StateRead {
  readonly outboxBatches: number;
  readonly customers: Map<string, CustomerAggregate>;
  /** Each product in the customers' histories: the orders its statistics row says it was learnt from. */
  readonly productOrders: Map<string, number>;
  /** Product lessons still journalled, not folded into the rows. */
  readonly lessonBatches: number;
}

export async function readState(stateUrl: string, storeId = SANDBOX_STORE_ID): Promise<StateRead> {
  const store = await openStateStore(stateUrl, storeId);
  try {
    const { batches } = await new Outbox(store).depth();
    const customers = new Map<string, CustomerAggregate>();
    for await (const chunk of new CustomerRepository(store).all()) for (const customer of chunk) customers.set(customer.key, customer);
    const ids = [...new Set([...customers.values()].flatMap((c) => c.orders.flatMap((o) => (o.items ?? []).map((item) => item.productId))))];
    const rows = await store.getMany<ProductStats>(ids.map(productStatsKey));
    const productOrders = new Map(ids.map((id, i) => [id, rows[i]?.orders ?? 0]));
    const lessonBatches = (await new DurableLog(store, LOGS.productLessons).depth()).batches;
    return { outboxBatches: batches, customers, productOrders, lessonBatches };
  } finally {
    await store.close();
  }
}

/** Outbox batches on disk; safe while a child writes (SQLite WAL lets a reader in). */
export async function outboxDepth(stateUrl: string, storeId = SANDBOX_STORE_ID): Promise<number> {
  const store = await openStateStore(stateUrl, storeId);
  try {
    return (await new Outbox(store).depth()).batches;
  } finally {
    await store.close();
  }
}

export const sleepMs = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
