import type { OutcomeReport, Proportion, SegmentOutcome } from './report';

/** `shipsignal report`'s table and CSV, pure. JSON is the report itself. */
export const REPORT_FORMATS = ['table', 'json', 'csv'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** A share in percent, with two decimals below 1% (a repeat rate of 1 in 3,000 is not "0.0%"). */
export const pct = (share: number): string => (share * 100).toFixed(share !== 0 && share < 0.01 ? 2 : 1);
const percent = (p: Proportion): string => (p.rate === null ? '—' : `${pct(p.rate)}%`);
const interval = (p: Proportion): string => (p.ci95 === null ? '' : ` [${pct(p.ci95[0])}–${pct(p.ci95[1])}]`);
const repeatCell = (p: Proportion): string => `${percent(p)} ${p.count}/${p.of}${interval(p)}`;

interface Column {
  readonly header: string;
  readonly cell: (s: SegmentOutcome) => string;
}

function columns(report: OutcomeReport): Column[] {
  const days = report.segments[0]?.repeat.map((r) => r.days) ?? [30, 60, 90];
  return [
    { header: 'segment', cell: (s) => s.segment },
    { header: 'customers', cell: (s) => String(s.customers) },
    { header: 'orders', cell: (s) => String(s.ordersPlaced) },
    { header: 'delivered', cell: (s) => String(s.ordersDelivered) },
    { header: 'on time', cell: (s) => `${percent(s.onTime)} of ${s.onTime.of}` },
    { header: 'issue rate', cell: (s) => percent(s.deliveryIssue) },
    { header: 'median days', cell: (s) => (s.medianDaysToDeliver === null ? '—' : String(s.medianDaysToDeliver)) },
    ...days.flatMap((n, i) => [
      { header: `repeat ${n}d, issue`, cell: (s: SegmentOutcome) => repeatCell((s.repeat[i] as SegmentOutcome['repeat'][number]).withIssue) },
      { header: `repeat ${n}d, no issue`, cell: (s: SegmentOutcome) => repeatCell((s.repeat[i] as SegmentOutcome['repeat'][number]).withoutIssue) },
    ]),
  ];
}

export function formatTable(report: OutcomeReport): string {
  const cols = columns(report);
  const rows = [cols.map((c) => c.header), ...report.segments.map((s) => cols.map((c) => c.cell(s)))];
  const widths = cols.map((_, i) => Math.max(...rows.map((row) => (row[i] as string).length)));
  const line = (row: readonly string[]): string => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number))).join('  ');
  const window = `${report.since ?? 'the beginning'} to ${report.until}`;
  return [
    `outcomes by lifecycle segment, ${window} (orders by day placed, deliveries and repeat purchases by day delivered;`,
    'repeat: another order within N days of delivery, counting only deliveries whose N days have passed; [95% Wilson interval])',
    '',
    line(rows[0] as string[]),
    ...rows.slice(1).map(line),
    '',
    'returns by reason, requested in the window (once per reason among a return\'s lines; declined and canceled left out)',
    ...report.segments.map((s) => `${s.segment.padEnd(widths[0] as number)}  ${reasons(s) || 'none'}`),
  ].join('\n');
}

const reasons = (s: SegmentOutcome): string => Object.entries(s.returnsByReason).map(([reason, n]) => `${reason} ${n}`).join(', ');

const csvCell = (value: string | number | null): string => {
  const text = value === null ? '' : String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** One row per segment, every figure in its own column (rates as fractions, intervals as two columns). */
export function formatCsv(report: OutcomeReport): string {
  const days = report.segments[0]?.repeat.map((r) => r.days) ?? [30, 60, 90];
  const prop = (name: string): string[] => [`${name}_count`, `${name}_of`, `${name}_rate`, `${name}_ci95_low`, `${name}_ci95_high`];
  const header = [
    'since', 'until', 'segment', 'customers', 'orders_placed', 'orders_delivered', ...prop('on_time'), ...prop('delivery_issue'), 'median_days_to_deliver',
    ...days.flatMap((n) => [...prop(`repeat_${n}d_issue`), ...prop(`repeat_${n}d_no_issue`)]), 'returns_by_reason',
  ];
  const values = (p: Proportion): Array<number | null> => [p.count, p.of, p.rate, p.ci95?.[0] ?? null, p.ci95?.[1] ?? null];
  const rows = report.segments.map((s) => [
    report.since, report.until, s.segment, s.customers, s.ordersPlaced, s.ordersDelivered, ...values(s.onTime), ...values(s.deliveryIssue), s.medianDaysToDeliver,
    ...s.repeat.flatMap((r) => [...values(r.withIssue), ...values(r.withoutIssue)]),
    // reason=count pairs, space-separated: the set of reasons is the store's own, so not one column each.
    Object.entries(s.returnsByReason).map(([reason, n]) => `${reason}=${n}`).join(' '),
  ]);
  return [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\n');
}

export function formatReport(report: OutcomeReport, format: ReportFormat): string {
  if (format === 'json') return JSON.stringify(report, null, 2);
  return format === 'csv' ? formatCsv(report) : formatTable(report);
}
