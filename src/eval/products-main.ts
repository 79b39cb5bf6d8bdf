import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { productsConfigSchema, type ProductsConfig } from '../enrichment/products/config';
import { isCalibration, readOnlineRetailLines, type Purchase } from './products-data';
import { HIT_WINDOW_DAYS, scoreRecommendations, scoreReplenishment } from './products-metrics';
import { replayProducts, type CycleCase, type RecommendationCase } from './products-replay';

/**
 * npm run eval:products [-- --data FILE] [--config FILE]: replays the real Online Retail invoices, line by line, through
 * the products code and scores recommendations (the next order holds a recommended product) against store best
 * sellers, and replenishment due dates against the customer's own median gap between orders. Parameters are tuned
 * on half the customers (a hash of the id) and scored on the other half, on the whole history and its last fifth.
 */
const PACKAGE_ROOT = resolve(__dirname, '..', '..', '..');
const DEFAULT_DATA = resolve(PACKAGE_ROOT, 'data', 'online-retail-lines', 'lines.csv.gz');
const DEFAULT_CONFIG = resolve(PACKAGE_ROOT, 'config', 'products.yaml');
const DAY = 86_400_000;
const WEEK = 7 * DAY;
/** A checkpoint's customers are those who order again within this many days: their next order is the outcome. */
const WINDOW_DAYS = 30;

function option(name: string): string | null {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : null;
}

/** Progress on stderr: a replay of the whole file takes a while on a busy machine. */
function timed<T>(label: string, run: () => T): T {
  const started = process.cpuUsage();
  const result = run();
  const used = process.cpuUsage(started);
  process.stderr.write(`[eval:products] ${label}: ${((used.user + used.system) / 1e6).toFixed(1)} s CPU\n`);
  return result;
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
const fixed = (x: number): string => x.toFixed(1);

function lastFifth<T>(items: readonly T[], at: (item: T) => number): T[] {
  if (items.length === 0) return [];
  const times = items.map(at);
  const from = Math.min(...times) + 0.8 * (Math.max(...times) - Math.min(...times));
  return items.filter((item) => at(item) >= from);
}

function withCoPurchase(config: ProductsConfig, historyProducts: number, minPairCount: number): ProductsConfig {
  return { ...config, coPurchase: { ...config.coPurchase, historyProducts, minPairCount } };
}

function tuneRecommendations(purchases: readonly Purchase[], checkpoints: readonly number[], base: ProductsConfig): { config: ProductsConfig; cases: RecommendationCase[]; lines: string[] } {
  const lines: string[] = ['calibration customers, recommendation hit rate by historyProducts × minPairCount:'];
  let best = { score: -1, config: base, cases: [] as RecommendationCase[] };
  for (const historyProducts of [5, 20]) {
    for (const minPairCount of [1, 2]) {
      const config = withCoPurchase(base, historyProducts, minPairCount);
      const { recommendations } = timed(`replay historyProducts ${historyProducts} minPairCount ${minPairCount}`, () => replayProducts(purchases, checkpoints, WINDOW_DAYS, config));
      const score = scoreRecommendations(recommendations.filter((c) => isCalibration(c.customer))).modelHit;
      lines.push(`  historyProducts ${historyProducts}, minPairCount ${minPairCount}: ${pct(score)}`);
      if (score > best.score) best = { score, config, cases: recommendations };
    }
  }
  return { config: best.config, cases: best.cases, lines };
}

function tuneReplenishment(purchases: readonly Purchase[], base: ProductsConfig): { config: ProductsConfig; cycles: CycleCase[]; lines: string[] } {
  const lines: string[] = ['calibration customers, replenishment MAE (days) by minOwnIntervals:'];
  let best = { mae: Number.POSITIVE_INFINITY, config: base, cycles: [] as CycleCase[] };
  for (const minOwnIntervals of [1, 2]) {
    const config = { ...base, replenishment: { ...base.replenishment, minOwnIntervals } };
    const { cycles } = timed(`replay minOwnIntervals ${minOwnIntervals}`, () => replayProducts(purchases, [], WINDOW_DAYS, config));
    const mae = scoreReplenishment(cycles.filter((c) => isCalibration(c.customer))).model.maeDays;
    lines.push(`  minOwnIntervals ${minOwnIntervals}: ${fixed(mae)}`);
    if (mae < best.mae) best = { mae, config, cycles };
  }
  return { config: best.config, cycles: best.cycles, lines };
}

function recommendationRows(label: string, cases: readonly RecommendationCase[]): string {
  const s = scoreRecommendations(cases);
  return `| recommendations, ${label} | ${s.cases.toLocaleString('en')} customer-checkpoints | next order holds a recommended product: **${pct(s.modelHit)}** (co-purchase, ${pct(s.covered)} with any) | ${pct(s.baselineHit)} (5 store best sellers not owned) |`;
}

function replenishmentRows(label: string, cycles: readonly CycleCase[]): string[] {
  const s = scoreReplenishment(cycles);
  return [
    `| replenishment, ${label} | ${s.cycles.toLocaleString('en')} cycles, ${s.model.events.toLocaleString('en')} due events (baseline ${s.baseline.events.toLocaleString('en')}) | due event followed by a purchase of the product within ±${HIT_WINDOW_DAYS} days: **${pct(s.model.followed)}** | ${pct(s.baseline.followed)} (the customer's own median gap) |`,
    `| replenishment, ${label} | ${s.model.maeCases.toLocaleString('en')} cycles re-bought | MAE of the next purchase date of the product: **${fixed(s.model.maeDays)} days** | ${fixed(s.baseline.maeDays)} days |`,
  ];
}

async function main(): Promise<void> {
  const data = option('--data') ?? DEFAULT_DATA;
  if (!existsSync(data)) throw new Error(`no line-level data at ${data}; pass --data FILE`);
  const configPath = option('--config') ?? DEFAULT_CONFIG;
  const raw: unknown = existsSync(configPath) ? parseYaml(readFileSync(configPath, 'utf8')) : {};
  const section = typeof raw === 'object' && raw !== null && 'products' in raw ? raw.products : raw;
  const base = productsConfigSchema.parse(section ?? {});
  const started = Date.now();
  const purchases = await readOnlineRetailLines(data);
  const first = purchases[0].at;
  const end = purchases[purchases.length - 1].at;
  // Every two weeks from the fifth week (a month of history to learn from) until the last whose 30-day window is in the data.
  const checkpoints: number[] = [];
  for (let at = first + 5 * WEEK; at + WINDOW_DAYS * DAY <= end; at += 2 * WEEK) checkpoints.push(at);

  const recs = tuneRecommendations(purchases, checkpoints, base);
  const reps = tuneReplenishment(purchases, recs.config);
  const chosen = reps.config;
  // Recommendations do not depend on the replenishment rules nor cycles on the co-purchase ones: each tuned replay
  // is the chosen configuration's.
  const testRecs = recs.cases.filter((c) => !isCalibration(c.customer));
  // A cycle is scored once both due dates and their ±14-day windows are inside the data.
  const observable = reps.cycles.filter((c) => Math.max(c.modelDue, c.baselineDue) + HIT_WINDOW_DAYS * DAY <= end);
  const testCycles = observable.filter((c) => !isCalibration(c.customer));

  console.log(`${data}: ${purchases.length.toLocaleString('en')} invoices (Online Retail, UCI, CC BY 4.0; real line items) replayed in time order, ${checkpoints.length} checkpoints two weeks apart, ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log([...recs.lines, ...reps.lines].join('\n'));
  console.log(`chosen on calibration: coPurchase.historyProducts ${chosen.coPurchase.historyProducts}, minPairCount ${chosen.coPurchase.minPairCount}; replenishment.minOwnIntervals ${chosen.replenishment.minOwnIntervals}`);
  const fromCycles = new Map<string, number>();
  for (const c of testCycles) fromCycles.set(c.learnedFrom, (fromCycles.get(c.learnedFrom) ?? 0) + 1);
  console.log(`test cycles by how the interval was learnt: ${[...fromCycles].map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
  console.log('| measure (test customers) | n | shipsignal | baseline |');
  console.log('|---|---|---|---|');
  console.log(recommendationRows('whole history', testRecs));
  console.log(recommendationRows('most recent fifth', lastFifth(testRecs, (c) => c.checkpoint)));
  for (const row of replenishmentRows('whole history', testCycles)) console.log(row);
  for (const row of replenishmentRows('most recent fifth', lastFifth(testCycles, (c) => c.start))) console.log(row);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack ?? error.message : error);
  process.exitCode = 1;
});
