import { pct } from '../../outcomes/format';
import type { Proportion } from '../../outcomes/report';
import type { StatusData } from './read';

/**
 * /status as one HTML document, pure: no script, no external asset (styles inline, plots inline SVG), every value
 * escaped. Dates are shown as stored (UTC ISO) so an operator can match them with logs.
 */
export const escapeHtml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** The page's styles: inline in the file the demo writes, served as /status/status.css (the server's CSP allows no inline style). */
export const STATUS_CSS = `
body{font-family:system-ui,sans-serif;margin:1.5rem;color:#1a1a1a;background:#fff;max-width:75rem}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.9rem}
th,td{border:1px solid #bbb;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f0f0f0}td.n{text-align:right;font-variant-numeric:tabular-nums}
.ok{color:#0b6b1d}.bad{color:#a40000}.unknown{color:#5a5a5a}
figure{margin:1rem 0 2rem}figcaption{font-size:.9rem;margin-top:.25rem}
.plots{display:grid;grid-template-columns:repeat(auto-fill,minmax(36rem,1fr));gap:1rem}
svg{max-width:100%;height:auto}`;

const ago = (from: string | null, now: string): string => {
  if (!from) return '—';
  const minutes = Math.round((Date.parse(now) - Date.parse(from)) / 60_000);
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 48 * 60) return `${Math.round(minutes / 60)} h`;
  return `${Math.round(minutes / 1440)} d`;
};

const rate = (p: Proportion): string => (p.rate === null ? '—' : `${pct(p.rate)}%`);
const ci = (p: Proportion): string => (p.ci95 === null ? '' : ` (95% CI ${pct(p.ci95[0])}–${pct(p.ci95[1])}%)`);
const cell = (text: string | number, numeric = false): string => `<td${numeric ? ' class="n"' : ''}>${escapeHtml(String(text))}</td>`;
const table = (caption: string, headers: readonly string[], rows: readonly string[]): string =>
  `<table><caption>${escapeHtml(caption)}</caption><thead><tr>${headers.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('') || `<tr><td colspan="${headers.length}">none</td></tr>`}</tbody></table>`;

function operations(data: StatusData): string {
  const components = Object.entries(data.health.components).map(([name, c]) =>
    `<tr>${cell(name)}<td class="${c.ok === true ? 'ok' : c.ok === false ? 'bad' : 'unknown'}">${c.ok === true ? 'healthy' : c.ok === false ? 'failing' : 'not run yet'}</td>${cell(c.lastSuccessAt ?? '—')}${cell(c.lastError ?? '')}</tr>`);
  const jobs = data.jobs.map(({ job, run, cron, nextRunAt }) => `<tr>${cell(job)}${cell(run?.startedAt ?? 'not run by this process')}${cell(run ? `${run.durationMs} ms` : '—', true)}${cell(run?.read ?? '—', true)}${cell(run?.rejected ?? '—', true)}${cell(nextRunAt ?? (cron ? `cron ${cron}` : 'not scheduled (one-shot run)'))}<td class="${!run ? 'unknown' : run.ok ? 'ok' : 'bad'}">${!run ? '—' : run.ok ? 'ok' : escapeHtml(`failed: ${run.error ?? ''}`)}</td></tr>`);
  const lanes = data.outbox.map((lane) => `<tr>${cell(lane.lane)}${cell(lane.batches, true)}${cell(lane.batches === 0 ? 'empty' : lane.oldestSince ? `${ago(lane.oldestSince, data.generatedAt)} (since ${lane.oldestSince})` : 'unknown (appended before age marks existed)')}</tr>`);
  const requests = data.requests.map((r) => `<tr>${cell(r.endpoint)}${cell(r.requests, true)}<td class="n${r.throttled > 0 ? ' bad' : ''}">${r.throttled}</td></tr>`);
  const rejects = data.rejects.map((r) => `<tr>${cell(r.at)}${cell(r.source)}${cell(r.recordId)}${cell(r.reason)}</tr>`);
  return [
    '<h2 id="operations">Operations</h2>',
    table('Components', ['component', 'health', 'last success', 'last error'], components),
    table('Jobs (last run by this process)', ['job', 'last run', 'duration', 'read', 'rejected', 'next run', 'result'], jobs),
    table('Outbox per lane', ['lane', 'batches waiting', 'oldest waiting'], lanes),
    table('Klaviyo requests per endpoint, last 24 hours (this process)', ['endpoint', 'requests', '429s'], requests),
    table('Last 20 rejected records', ['at', 'source', 'record', 'reason'], rejects),
  ].join('\n');
}

function outcomes(data: StatusData): string {
  const report = data.outcomes;
  const days = report.segments[0]?.repeat.map((r) => r.days) ?? [];
  const headers = ['segment', 'customers', 'orders', 'delivered', 'on time', 'delivery issue', 'median days to deliver', ...days.flatMap((n) => [`repeat ${n} d after an issue`, `repeat ${n} d, no issue`])];
  const rows = report.segments.map((s) => `<tr><th scope="row">${escapeHtml(s.segment)}</th>${cell(s.customers, true)}${cell(s.ordersPlaced, true)}${cell(s.ordersDelivered, true)}${cell(`${rate(s.onTime)} of ${s.onTime.of}`, true)}${cell(rate(s.deliveryIssue), true)}${cell(s.medianDaysToDeliver ?? '—', true)}${s.repeat.map((r) => cell(`${rate(r.withIssue)} ${r.withIssue.count}/${r.withIssue.of}${ci(r.withIssue)}`, true) + cell(`${rate(r.withoutIssue)} ${r.withoutIssue.count}/${r.withoutIssue.of}${ci(r.withoutIssue)}`, true)).join('')}</tr>`);
  return [
    '<h2 id="outcomes">Outcomes by lifecycle segment (all history)</h2>',
    '<p>Orders count under the customer\'s segment now. Repeat: another order within N days of delivery, counting only deliveries whose N days have passed; split by whether the order had a delivery issue. The same figures as <code>shipsignal report</code>.</p>',
    table('Outcomes by segment', headers, rows),
  ].join('\n');
}

function plots(data: StatusData): string {
  const figures = data.plots.map((plot) => `<figure id="plot-${escapeHtml(plot.id)}" data-plot="${escapeHtml(plot.id)}">${plot.svg ?? '<p>Nothing to draw yet.</p>'}<figcaption><strong>${escapeHtml(plot.title)}.</strong> ${escapeHtml(plot.summary)}</figcaption></figure>`);
  return ['<h2 id="plots">Plots</h2>', `<div class="plots">${figures.join('\n')}</div>`].join('\n');
}

export function renderStatusPage(data: StatusData, storeId: string, styles: { readonly href: string } | 'inline' = 'inline'): string {
  const style = styles === 'inline' ? `<style>${STATUS_CSS}</style>` : `<link rel="stylesheet" href="${escapeHtml(styles.href)}">`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>shipsignal status: ${escapeHtml(storeId)}</title>${style}</head>
<body><header><h1>shipsignal status: ${escapeHtml(storeId)}</h1><p>Generated ${escapeHtml(data.generatedAt)} (UTC). ${data.health.ready ? '<span class="ok">Ready.</span>' : '<span class="bad">Not ready.</span>'}</p>
<nav aria-label="sections"><a href="#operations">Operations</a> · <a href="#outcomes">Outcomes</a> · <a href="#plots">Plots</a></nav></header>
<main>
${operations(data)}
${outcomes(data)}
${plots(data)}
</main></body></html>
`;
}
