import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import YAML from 'yaml';
import { deliveryConfigSchema, type DeliveryConfig } from '../enrichment/delivery/config';
import { packageRoot } from '../util/package-root';
import { loadOlist, type OlistTimeline } from './delivery-olist';
import { DEFAULT_REPLAY, replay, score, withoutScanRules, type DeliveryScores } from './delivery-replay';

/**
 * `npm run eval:delivery [-- --data <olist folder>]`: replays Olist's real order timelines through the delivery
 * prediction and risk code and prints one table. Defaults to the repository's data/olist and config/delivery.yaml.
 */
function argument(name: string): string | null {
  const at = process.argv.indexOf(name);
  return at >= 0 ? (process.argv[at + 1] ?? null) : null;
}

function loadConfig(root: string): DeliveryConfig {
  const path = join(root, 'config', 'delivery.yaml');
  const raw: unknown = existsSync(path) ? YAML.parse(readFileSync(path, 'utf8')) ?? {} : {};
  return withoutScanRules(deliveryConfigSchema.parse(raw));
}

const pct = (x: number): string => (Number.isNaN(x) ? 'n/a' : `${(x * 100).toFixed(1)}%`);
const num = (x: number, digits = 1): string => (Number.isNaN(x) ? 'n/a' : x.toFixed(digits));
const counts = (record: Readonly<Record<string, number | undefined>>): string =>
  Object.entries(record).sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0)).map(([k, v]) => `${k} ${v ?? 0}`).join(', ');

function table(all: DeliveryScores, recent: DeliveryScores): string {
  const rows: Array<[string, (s: DeliveryScores) => string]> = [
    ['parcels (delivered, with hand-off)', (s) => String(s.parcels)],
    ['baseline: MAE of Olist promise (days)', (s) => num(s.promiseMaeDays)],
    ['MAE of most likely date, at hand-off (days)', (s) => num(s.maeAtHandoffDays)],
    ['MAE of most likely date, at purchase (days)', (s) => num(s.maeAtPurchaseDays)],
    ['delivered by latest-likely date (hand-off)', (s) => pct(s.latestLikelyMet)],
    ['latest-likely earlier than promise (days, mean)', (s) => num(s.latestBeforePromiseDays)],
    ['late parcels (after the promised day)', (s) => String(s.late)],
    ['late flagged before the promised day ended', (s) => pct(s.lateFlaggedShare)],
    ['late flagged >= 24 h ahead', (s) => pct(s.lateFlaggedDayAheadShare)],
    ['hours ahead of the deadline (median, flagged)', (s) => num(s.medianHoursAhead, 0)],
    ['false alarms among on-time parcels', (s) => pct(s.falseAlarmShare)],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = [`${'metric'.padEnd(width)} | ${'all history'.padStart(12)} | ${'recent fifth'.padStart(12)}`];
  lines.push(`${'-'.repeat(width)}-|-${'-'.repeat(12)}-|-${'-'.repeat(12)}`);
  for (const [label, f] of rows) lines.push(`${label.padEnd(width)} | ${f(all).padStart(12)} | ${f(recent).padStart(12)}`);
  return lines.join('\n');
}

function main(): void {
  const root = packageRoot();
  const dir = resolve(argument('--data') ?? join(root, 'data', 'olist'));
  const config = loadConfig(root);
  const { timelines, ordersRead, skipped, missingFiles } = loadOlist(dir);
  const started = Date.now();
  const outcomes = replay(timelines, config, DEFAULT_REPLAY);
  const recent = outcomes.slice(Math.floor(outcomes.length * 0.8));
  const all = score(outcomes);
  const withState = timelines.filter((t: OlistTimeline) => t.customerState).length;
  const withLane = timelines.filter((t: OlistTimeline) => t.customerState && t.sellerState).length;
  const withSeller = timelines.filter((t: OlistTimeline) => t.sellerState).length;
  console.log(`Olist replay from ${dir}: ${ordersRead} orders read, ${timelines.length} delivered with hand-off and delivery ` +
    `timestamps (${skipped} delivered orders skipped: a timestamp missing or delivery before hand-off).`);
  console.log(`Destination state known for ${withState} (customers file), seller state for ${withSeller} (items file), both ` +
    `for ${withLane}; the rest use the promise band or store-wide group. No carrier, service or scans in the data: ` +
    `the stalled-in-transit rule is off. Re-assessed every ${DEFAULT_REPLAY.stepHours} h; a flag is level >= ${DEFAULT_REPLAY.flagLevel}; ` +
    `the model learns each delivery only after it happened. Recent fifth = last 20% by purchase time.`);
  if (missingFiles.length) console.log(`Not found, so those lanes back off to coarser groups: ${missingFiles.join(', ')}.`);
  console.log('');
  console.log(table(all, score(recent)));
  console.log('');
  console.log(`confidence at hand-off: ${counts(all.confidenceAtHandoff)}`);
  console.log(`first flag by rule: ${counts(all.firstFlagCodes)}`);
  console.log(`(replayed in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

main();
