#!/usr/bin/env node
import { Command } from 'commander';
import { parseEnv, type Env } from '../config/env';
import { ConfigError } from '../config/yaml-file';
import { App } from '../daemon/app';
import { resolveStoreId } from '../daemon/store-id';
import { runDaemon } from '../daemon/run';
import { trackingPageFor } from '../daemon/tracking-page';
import { RejectsLog } from '../state/rejects';
import { openStateStore } from '../state/store';
import { redactText } from '../observability/logger';
import { statusRoutes } from '../pages/status/routes';
import { runDemo } from './demo';
import { runDemoServe } from './demo-serve';
import { registerFleetCommands } from './fleet';
import { doctor } from './doctor';
import { dryRun } from './dry-run';
import { runReport } from './report';
import { formatSetup, runSetup } from './setup';

const print = (value: unknown) => process.stdout.write(`${typeof value === 'string' ? value : JSON.stringify(value, null, 2)}\n`);

async function withApp<T>(work: (app: App) => Promise<T>, options: Parameters<typeof App.create>[1] = {}): Promise<T> {
  const app = await App.create(env(), options);
  try {
    return await work(app);
  } finally {
    await app.close();
  }
}

let parsedEnv: Env | null = null;
function env(): Env {
  parsedEnv ??= parseEnv(process.env);
  return parsedEnv;
}

const program = new Command('shipsignal').description('Store orders and carrier tracking → post-purchase signals in Klaviyo.');

program.command('run').description('long-running daemon: scheduled syncs, health and metrics endpoints').action(async () => {
  const app = await App.create(env());
  const page = trackingPageFor(app);
  await runDaemon(app, app.webhooks(), [...(page ? [page] : []), ...statusRoutes({
    storeId: app.storeId, store: app.context.store, metrics: app.context.metrics, health: () => app.health.view(true),
    clock: app.context.clock, tokenConfigured: Boolean(env().SHIPSIGNAL_HTTP_TOKEN),
  })]);
});

program
  .command('sync')
  .description('one sync: read changed orders, re-evaluate due customers, push to Klaviyo')
  .option('--once', 'run a single pass and exit (the default)', true)
  .action(async () => {
    print(await withApp((app) => app.syncOnce()));
  });

program.command('dry-run').description('compute everything a sync would send and print it per metric and property; change nothing anywhere').action(async () => {
  print(await dryRun(env()));
});

program.command('doctor').description('check configuration and credentials, one line per check').action(async () => {
  const checks = await doctor(env());
  for (const check of checks) print(`${check.ok ? 'ok  ' : 'FAIL'} ${check.name}: ${check.detail}`);
  if (checks.some((check) => !check.ok)) process.exitCode = 1;
});

program
  .command('setup')
  .description('create the starter segments and draft flows (mappings/segments.yaml, mappings/flows/) in Klaviyo, once; existing ones are left alone')
  .option('--dry-run', 'print every request body it would send and send nothing that changes anything', false)
  .action(async (options: { dryRun: boolean }) => {
    const result = await runSetup(env(), options.dryRun);
    for (const line of formatSetup(result, options.dryRun)) print(line);
    if (result.lines.some((line) => line.outcome.status === 'failed')) process.exitCode = 1;
  });

program
  .command('rejects')
  .description('list records rejected with their source, id and reason (this store\'s: SHIPSIGNAL_STORE_ID)')
  .option('-n, --limit <n>', 'how many of the latest', '50')
  .action(async (options: { limit: string }) => {
    const store = await openStateStore(env().SHIPSIGNAL_STATE_URL, await resolveStoreId(env()));
    try {
      const rejects = await new RejectsLog(store).list(Number(options.limit));
      if (rejects.length === 0) print('no rejected records');
      for (const r of rejects) print(`${r.at}  ${r.source}  ${r.recordId}  ${r.reason}`);
    } finally {
      await store.close();
    }
  });

program
  .command('report')
  .description('outcomes by lifecycle segment from this store\'s state: on-time and issue rates, days to deliver, repeat purchase after delivery split by delivery issue')
  .option('--format <format>', 'table, json or csv', 'table')
  .option('--since <day>', 'first day (YYYY-MM-DD, UTC) of orders placed and deliveries counted; default: all history')
  .option('--until <day>', 'last day (YYYY-MM-DD, UTC); default: today')
  .action(async (options: { format: string; since?: string; until?: string }) => {
    print(await runReport(env(), options));
  });

program
  .command('demo')
  .description('run a full sync against the embedded sandboxes (no credentials) and print a report')
  .option('--store <name>', 'sandbox store: olist or gift-retailer', 'olist')
  .option('--source <name>', 'which store API the daemon reads the sandbox store through: shopify or woocommerce', 'shopify')
  .option('--serve', 'keep the sandboxes and the daemon running with the branded tracking page, and print a link per case', false)
  .option('--output <dir>', 'where the status page and the report are written (default: demo-output/)')
  .option('--keep-state <dir>', 'keep the demo\'s state (state.sqlite) in this directory, e.g. for `shipsignal report`')
  .action(async (options: { store: string; source: string; serve: boolean; output?: string; keepState?: string }) => {
    if (options.serve) return runDemoServe(process.stdout, env().SHIPSIGNAL_HTTP_PORT);
    const problems = [
      ...(options.store !== 'olist' && options.store !== 'gift-retailer' ? [`--store: expected olist or gift-retailer, got ${options.store}`] : []),
      ...(options.source !== 'shopify' && options.source !== 'woocommerce' ? [`--source: expected shopify or woocommerce, got ${options.source}`] : []),
    ];
    if (problems.length > 0) throw new ConfigError(problems);
    await runDemo(options.store as 'olist' | 'gift-retailer', process.stdout, options.source as 'shopify' | 'woocommerce', {
      ...(options.output ? { outputDir: options.output } : {}),
      ...(options.keepState ? { stateDir: options.keepState } : {}),
    });
  });

registerFleetCommands(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof ConfigError) {
    for (const problem of error.problems) process.stderr.write(`config error: ${problem}\n`);
    process.exit(2);
  }
  process.stderr.write(`shipsignal: ${redactText(error instanceof Error ? error.message : String(error))}\n`);
  process.exit(1);
});
