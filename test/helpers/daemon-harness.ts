import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { parseEnv } from '../../src/config/env';
import { App } from '../../src/daemon/app';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../src/sandbox/local-stack';
import type { Clock } from '../../src/util/clock';

export interface Harness {
  readonly stack: LocalStack;
  readonly app: App;
  readonly stateUrl: string;
  /** Log lines the daemon wrote, as text. */
  logs(): string;
  close(): Promise<void>;
}

/** The real daemon wiring against the local sandboxes, with state in a fresh SQLite file. */
export async function startHarness(options: LocalStackOptions & { clock: Clock; env?: Record<string, string> }): Promise<Harness> {
  const stack = await startLocalStack(options);
  const dir = mkdtempSync(join(tmpdir(), 'shipsignal-test-'));
  const stateUrl = `sqlite://${join(dir, 'state.sqlite')}`;
  const logStream = new PassThrough();
  const chunks: Buffer[] = [];
  logStream.on('data', (chunk: Buffer) => chunks.push(chunk));
  const env = parseEnv({ ...stack.env, SHIPSIGNAL_STATE_URL: stateUrl, SHIPSIGNAL_LOG_LEVEL: 'debug', ...options.env });
  const app = await App.create(env, { clock: options.clock, logStream });
  return {
    stack,
    app,
    stateUrl,
    logs: () => Buffer.concat(chunks).toString('utf8'),
    close: async () => {
      await app.close();
      await stack.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
