import { SEGMENTS } from '../model/customer';
import type { MappingConfig } from '../mapping/mapping-config';
import { metricKeys } from '../config/starter-set';
import type { Condition, FlowSpec } from '../sinks/provisioner';
import type { SandboxEvent, SandboxProfile } from '../sandbox/klaviyo/types';
import type { Role } from './demo-scenario';
import type { WeekResult } from './demo-week';

/**
 * What the demo week shows, pure: per cast member, what Klaviyo received during the week, which starter flows
 * would start (trigger, trigger filters and audience, checked against the profile as it stood after that day's
 * sync) and which were held back by a promotions hold; and the week's coverage: every declared event kind and every
 * lifecycle segment, live at least once.
 */
export function conditionHolds(condition: Condition, values: Readonly<Record<string, unknown>>): boolean {
  const value = values[condition.field];
  if ('set' in condition) return (value !== undefined && value !== null && value !== '') === condition.set;
  if ('in' in condition) return typeof value === 'string' && condition.in.includes(value);
  // Klaviyo treats an unset boolean as false for an "is false" audience check.
  if (typeof condition.equals === 'boolean') return (value ?? false) === condition.equals;
  return value === condition.equals;
}

export interface FlowDecision {
  readonly flow: string;
  readonly fires: boolean;
  /** The audience conditions that failed (e.g. `ss_hold_promotions equals false`). */
  readonly blockedBy: readonly string[];
}

export function flowsFor(event: SandboxEvent, profile: SandboxProfile | null, flows: readonly FlowSpec[]): FlowDecision[] {
  const properties = profile?.properties ?? {};
  return flows
    .filter((flow) => flow.triggerMetric === event.metric && flow.triggerFilters.every((c) => conditionHolds(c, event.properties)))
    .map((flow) => {
      const blockedBy = flow.audience.filter((c) => !conditionHolds(c, properties)).map(describe);
      return { flow: flow.name, fires: blockedBy.length === 0, blockedBy };
    });
}

const describe = (c: Condition): string => ('set' in c ? `${c.field} ${c.set ? 'set' : 'unset'}` : 'in' in c ? `${c.field} in ${c.in.join('|')}` : `${c.field} = ${String(c.equals)}`);

export interface WeekCoverage {
  /**
   * Each enabled event kind declared in mappings/klaviyo.yaml, with its live events this week; `applies` is false for
   * a kind the configured store cannot produce (WooCommerce has no returns, only refunds).
   */
  readonly eventKinds: ReadonlyArray<{ readonly key: string; readonly metric: string; readonly live: number; readonly applies: boolean }>;
  /** Each lifecycle segment, with the live `Lifecycle Segment Changed` events into it this week. */
  readonly segments: ReadonlyArray<{ readonly segment: string; readonly live: number }>;
}

export function weekEvents(events: readonly SandboxEvent[], week: WeekResult): SandboxEvent[] {
  const from = week.start.toISOString();
  return events.filter((e) => !e.backfill && e.time >= from.slice(0, 19));
}

export function coverage(live: readonly SandboxEvent[], mapping: MappingConfig, notApplicable: ReadonlySet<string> = new Set()): WeekCoverage {
  const count = (metric: string): number => live.filter((e) => e.metric === metric).length;
  const segmentMetric = mapping.events.lifecycleSegmentChanged.metric;
  return {
    eventKinds: [...metricKeys(mapping)].filter(([, e]) => e.enabled).map(([key, e]) => ({ key, metric: e.metric, live: count(e.metric), applies: !notApplicable.has(key) })),
    segments: SEGMENTS.map((segment) => ({ segment, live: live.filter((e) => e.metric === segmentMetric && e.properties.Segment === segment).length })),
  };
}

/** The profile as it stood after the first daily sync at or after the event (when Klaviyo would have started a flow). */
function profileAt(week: WeekResult, email: string, time: string): SandboxProfile | null {
  const snapshots = week.days.flatMap((d) => d.snapshots);
  const after = snapshots.find((s) => s.at.slice(0, 19) >= time.slice(0, 19)) ?? snapshots[snapshots.length - 1];
  return after?.profiles.get(email) ?? null;
}

const KEY_PROPERTIES = ['Segment', 'PreviousSegment', 'Status', 'StatusDetail', 'CarrierMessage', 'RiskReasons', 'IssueCode', 'Code', 'ReturnReasons', 'BlockId', 'Amount', 'OrderNumber'];

function eventLine(event: SandboxEvent): string {
  const shown = KEY_PROPERTIES.filter((k) => event.properties[k] !== undefined && event.properties[k] !== null && !(Array.isArray(event.properties[k]) && (event.properties[k] as unknown[]).length === 0))
    .map((k) => `${k}=${Array.isArray(event.properties[k]) ? (event.properties[k] as unknown[]).join('+') : String(event.properties[k])}`);
  return `${event.time.slice(5, 16).replace('T', ' ')}  ${event.metric}${shown.length > 0 ? `  (${shown.join(', ')})` : ''}`;
}

/** The story of one cast member, as lines. */
export function story(role: Role, week: WeekResult, live: readonly SandboxEvent[], flows: readonly FlowSpec[]): string[] {
  const member = week.cast.get(role);
  if (!member) return [];
  const own = live.filter((e) => e.profile.email === member.email).sort((a, b) => a.time.localeCompare(b.time));
  const lines = [`${member.name} <${member.email}>: ${member.why}${member.real ? ' (a real Olist customer; identity synthesized by the seed)' : ''}`];
  lines.push('  what Klaviyo received (live events this week):');
  if (own.length === 0) lines.push('    nothing live');
  const fired = new Set<string>();
  const held: string[] = [];
  for (const event of own) {
    lines.push(`    ${eventLine(event)}`);
    for (const decision of flowsFor(event, profileAt(week, member.email, event.time), flows)) {
      if (decision.fires) fired.add(decision.flow);
      // Only a hold is news here; an audience the customer was never in (a VIP-only flow) is not "held back".
      else if (decision.blockedBy.some((c) => c.includes('hold_promotions'))) held.push(`${decision.flow} on ${event.metric} ${event.time.slice(5, 10)}: not sent (${decision.blockedBy.join(', ')})`);
    }
  }
  lines.push(`  flows that would fire: ${fired.size > 0 ? [...fired].join('; ') : 'none'}`);
  const holds = week.days.flatMap((d) => {
    const held = d.snapshots.map((s) => s.profiles.get(member.email)?.properties).find((p) => p?.ss_hold_promotions === true);
    return held ? [`day ${d.day} (${String(held.ss_hold_reason ?? 'no reason')})`] : [];
  });
  lines.push(`  promotions on hold: ${holds.length > 0 ? holds.join(', ') : 'never this week'}`);
  // A return request cancels the pending review request (issue 15): say so when the week shows it.
  const readyAt = week.days.flatMap((d) => d.snapshots.map((s) => ({ day: d.day, ready: s.profiles.get(member.email)?.properties.ss_review_request_ready_at })));
  const cleared = readyAt.find((r, i) => i > 0 && r.ready === undefined && readyAt[i - 1]?.ready !== undefined);
  if (cleared && holds.some((h) => h.includes('return_open'))) lines.push(`  review request: timing cleared on day ${cleared.day} (a return is open)`);
  for (const line of held) lines.push(`    held back: ${line}`);
  const last = week.days[week.days.length - 1]?.snapshots.at(-1)?.profiles.get(member.email)?.properties;
  if (last) lines.push(`  profile at the end of the week: ss_segment=${String(last.ss_segment)}, ss_shipment_status=${String(last.ss_shipment_status ?? '—')}, ss_hold_promotions=${String(last.ss_hold_promotions ?? false)}`);
  return lines;
}
