import { loadBranding } from '../config/branding';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { App } from '../daemon/app';
import { loadStarterSet } from '../config/starter-set';
import { dayOf } from '../outcomes/counters';
import { formatReport } from '../outcomes/format';
import { readStatus } from '../pages/status/read';
import { renderStatusPage } from '../pages/status/view';
import type { LocalStack } from '../sandbox/local-stack';
import type { SandboxStore } from '../sandbox/shopify/store';
import type { ManualClock } from '../util/clock';
import { coverage, story, weekEvents } from './demo-story';
import { runDemoWeek, type WeekResult } from './demo-week';
import type { Progress } from './progress';
import { reportFromStore } from './report';

export interface WeekOutput {
  readonly week: WeekResult;
  readonly statusPath: string;
  readonly reportPaths: readonly string[];
  /** Declared event kinds or segments with no live event this week (empty when the week covered everything). */
  readonly missing: readonly string[];
}

/**
 * The demo after its backfill: plays the week, prints the timeline, the coverage of event kinds and segments and
 * three customers' stories, and writes the status page and the report (table, JSON, CSV) into `outputDir`.
 */
export async function playWeek(
  setup: { app: App; stack: LocalStack; store: SandboxStore; clock: ManualClock; pageBase: string | null; source: 'shopify' | 'woocommerce'; mappingsDir: string; outputDir: string },
  write: (line?: string) => void,
  progress: Progress,
): Promise<WeekOutput> {
  const { app, stack } = setup;
  const week = await runDemoWeek(setup, progress);
  write(`a simulated week, ${dayOf(week.start)} to ${dayOf(new Date(week.start.getTime() + 6 * 86_400_000))}: orders and parcel scans SYNTHESIZED for the demo, syncs at 12:00 and 20:00 UTC`);
  write('cast: ' + [...week.cast.values()].map((m) => `${m.role} = ${m.name}${m.real ? '' : ' (synthesized)'}`).join(', '));
  for (const day of week.days) {
    write(`  day ${day.day}  ${day.done.length > 0 ? day.done.map((d) => d.replace(/^[a-z-]+: /, '')).join('; ') : 'no store activity'}`);
    const total = (pick: (s: WeekResult['days'][number]['syncs'][number]) => number): number => day.syncs.reduce((sum, s) => sum + pick(s), 0);
    write(`         ${day.syncs.length} syncs: ${total((s) => s.orders)} orders read, ${total((s) => s.trackers)} tracker updates, ${total((s) => s.reviewed)} customers re-assessed by time, ${total((s) => s.drained.events)} events and ${total((s) => s.drained.profiles)} profiles pushed`);
  }
  const live = weekEvents(stack.klaviyo.events(), week);
  // WooCommerce has no returns API (its refunds become `Refund Issued`): the return steps cannot reach the daemon there.
  const notApplicable = new Set(setup.source === 'woocommerce' ? ['returns.requested', 'returns.approved', 'returns.declined', 'returns.inTransit', 'returns.received', 'returns.closed'] : []);
  const covered = coverage(live, app.context.settings.mapping, notApplicable);
  write();
  write('every declared event kind, live this week (mappings/klaviyo.yaml, enabled ones)');
  for (const kind of covered.eventKinds) write(`  ${kind.live > 0 ? '✓' : kind.applies ? '✗' : '–'} ${kind.metric.padEnd(32)} ${kind.live}${kind.applies ? '' : '  (not applicable: this store has no returns API)'}`);
  write('every lifecycle segment, entered live this week (Lifecycle Segment Changed)');
  for (const segment of covered.segments) write(`  ${segment.live > 0 ? '✓' : '✗'} ${segment.segment.padEnd(32)} ${segment.live}`);
  const flows = loadStarterSet(setup.mappingsDir, app.context.settings.mapping, loadBranding(app.env.SHIPSIGNAL_CONFIG_DIR)).flows;
  for (const role of ['first-time', 'vip', 'returner', 'at-risk'] as const) {
    write();
    for (const line of story(role, week, live, flows)) write(line);
  }

  progress.phase('writing the status page and the report');
  mkdirSync(setup.outputDir, { recursive: true });
  const data = await readStatus({ store: app.context.store, metrics: app.context.metrics, health: app.health.view(true), clock: app.context.clock });
  const statusPath = join(setup.outputDir, 'status.html');
  writeFileSync(statusPath, renderStatusPage(data, app.storeId));
  const now = app.context.clock.now();
  const report = await reportFromStore(app.context.store, null, dayOf(now), now);
  const reportPaths = (['table', 'json', 'csv'] as const).map((format) => {
    const path = join(setup.outputDir, `report.${format === 'table' ? 'txt' : format}`);
    writeFileSync(path, `${formatReport(report, format)}\n`);
    return path;
  });
  write();
  write(formatReport(report, 'table'));
  write();
  write(`status page  ${statusPath}`);
  write(`report       ${reportPaths.join('  ')}`);
  const missing = [
    ...covered.eventKinds.filter((k) => k.live === 0 && k.applies).map((k) => `event ${k.metric}`),
    ...covered.segments.filter((s) => s.live === 0).map((s) => `segment ${s.segment}`),
  ];
  if (missing.length > 0) write(`NOT live this week: ${missing.join(', ')}`);
  return { week, statusPath, reportPaths, missing };
}
