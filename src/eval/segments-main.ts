import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DateTime } from 'luxon';
import { parse as parseYaml } from 'yaml';
import { lifecycleConfigSchema } from '../enrichment/lifecycle/config';
import { readInvoices } from './online-retail';
import { purchaseLogs } from './segments-baseline';
import { evalRows, evaluateSegments, type EvaluationOptions } from './segments-evaluate';
import { formatReport } from './segments-report';
import { replaySegments } from './segments-replay';

/**
 * npm run eval:segments [-- --data FILE] [--config FILE]: replays real invoices through the lifecycle code and
 * prints how well churn risk, at_risk and next-order dates predicted what customers did next.
 */
const PACKAGE_ROOT = resolve(__dirname, '..', '..', '..');
const DEFAULT_DATA = resolve(PACKAGE_ROOT, 'data', 'online-retail', 'online_retail_invoices.csv');
const DEFAULT_CONFIG = resolve(PACKAGE_ROOT, 'config', 'lifecycle.yaml');

function option(name: string): string | null {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : null;
}

const ukMonthStart = (month: string): Date => DateTime.fromISO(`${month}-01T00:00`, { zone: 'Europe/London' }).toJSDate();

async function main(): Promise<void> {
  const data = option('--data') ?? DEFAULT_DATA;
  if (!existsSync(data)) throw new Error(`no invoices at ${data}; pass --data FILE`);
  const configPath = option('--config') ?? DEFAULT_CONFIG;
  const raw: unknown = existsSync(configPath) ? parseYaml(readFileSync(configPath, 'utf8')) : {};
  const section = typeof raw === 'object' && raw !== null && 'lifecycle' in raw ? raw.lifecycle : raw;
  const config = lifecycleConfigSchema.parse(section ?? {});
  const { orders, skippedWithoutCustomer } = await readInvoices(data);
  const checkpoints = ['2011-04', '2011-05', '2011-06', '2011-07', '2011-08', '2011-09'].map(ukMonthStart);
  const started = Date.now();
  const result = await replaySegments(orders, checkpoints, config);
  console.log(`${data}: ${orders.length} invoices with a customer replayed (${skippedWithoutCustomer} without one skipped) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log('Order values are Quantity × mean UnitPrice: approximations (see data README).');
  console.log(`churn = no purchase within ${config.horizonDays} days of the checkpoint; P/R = precision/recall of that flag for churn\n`);
  const options: EvaluationOptions = {
    pooledFrom: ukMonthStart('2011-07').getTime(),
    windowDays: config.horizonDays,
    plan: { horizonDays: config.horizonDays, checkpoints: config.model.checkpoints, spacingDays: config.model.checkpointSpacingDays, l2: 1e-6 },
    configuredRule: { gapMultiple: config.atRisk.gapMultiple, minDays: config.atRisk.minDays, churnRiskAtLeast: config.atRisk.churnRiskAtLeast },
  };
  const rows = evalRows(result, purchaseLogs(orders), options.plan);
  console.log(formatReport(result, evaluateSegments(result, rows, options), options));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack ?? error.message : error);
  process.exitCode = 1;
});
