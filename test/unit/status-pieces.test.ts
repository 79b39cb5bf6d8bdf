import { conditionHolds, coverage, flowsFor } from '../../src/cli/demo-story';
import { join } from 'node:path';
import { loadYamlFile } from '../../src/config/yaml-file';
import { mappingConfigSchema } from '../../src/mapping/mapping-config';
import { fromPackageRoot } from '../../src/util/package-root';
import { nextMarks, oldestWaitingSince } from '../../src/state/outbox';
import { RollingRequests, runCounts } from '../../src/observability/recent';
import type { SandboxEvent, SandboxProfile } from '../../src/sandbox/klaviyo/types';
import type { FlowSpec } from '../../src/sinks/provisioner';

describe('outbox age marks', () => {
  it('keep the mark covering the head and add one at most a minute apart', () => {
    let marks = nextMarks([], 0, { seq: 0, at: '2026-01-01T00:00:00Z' });
    marks = nextMarks(marks, 0, { seq: 3, at: '2026-01-01T00:00:30Z' }); // within the minute: covered by the first
    marks = nextMarks(marks, 0, { seq: 5, at: '2026-01-01T00:02:00Z' });
    expect(marks).toEqual([{ seq: 0, at: '2026-01-01T00:00:00Z' }, { seq: 5, at: '2026-01-01T00:02:00Z' }]);
    expect(oldestWaitingSince(marks, 4)).toBe('2026-01-01T00:00:00Z');
    expect(oldestWaitingSince(marks, 6)).toBe('2026-01-01T00:02:00Z');
    // Once the head passed the second mark, the first is no longer needed.
    expect(nextMarks(marks, 7, null)).toEqual([{ seq: 5, at: '2026-01-01T00:02:00Z' }]);
    expect(oldestWaitingSince([], 0)).toBeNull();
  });
});

describe('recent requests and runs', () => {
  it('counts requests and 429s per endpoint over the last 24 hours only', () => {
    const rolling = new RollingRequests();
    rolling.add('bulkCreateEvents', 202, new Date('2026-01-01T00:10:00Z'));
    rolling.add('bulkCreateEvents', 429, new Date('2026-01-02T09:00:00Z'));
    rolling.add('bulkCreateEvents', 202, new Date('2026-01-02T10:00:00Z'));
    expect(rolling.lastDay(new Date('2026-01-02T10:30:00Z'))).toEqual([{ endpoint: 'bulkCreateEvents', requests: 2, throttled: 1 }]);
  });

  it('reads records read and rejected from a job result', () => {
    expect(runCounts({ orders: 10, rejected: 2, customers: 3 })).toEqual({ read: 10, rejected: 2 });
    expect(runCounts({ profiles: 4, events: 6, rejected: 0 })).toEqual({ read: 10, rejected: 0 });
    expect(runCounts(undefined)).toEqual({ read: null, rejected: null });
  });
});

describe('demo story: which flows would start', () => {
  const flow: FlowSpec = {
    name: 'win-back', file: 'x.yaml', triggerMetric: 'Lifecycle Segment Changed', reentryDays: null, steps: [],
    triggerFilters: [{ field: 'Segment', equals: 'at_risk' }],
    audience: [{ field: 'ss_hold_promotions', equals: false }],
  };
  const event = (segment: string) => ({ metric: 'Lifecycle Segment Changed', properties: { Segment: segment } }) as unknown as SandboxEvent;
  const profile = (held: boolean | undefined) => ({ properties: held === undefined ? {} : { ss_hold_promotions: held } }) as unknown as SandboxProfile;

  it('starts a flow when trigger, filters and audience match; an unset boolean is false', () => {
    expect(flowsFor(event('at_risk'), profile(undefined), [flow])).toEqual([{ flow: 'win-back', fires: true, blockedBy: [] }]);
    expect(flowsFor(event('vip'), profile(false), [flow])).toEqual([]);
    expect(flowsFor(event('at_risk'), profile(true), [flow])).toEqual([{ flow: 'win-back', fires: false, blockedBy: ['ss_hold_promotions = false'] }]);
    expect(conditionHolds({ field: 'x', in: ['a', 'b'] }, { x: 'b' })).toBe(true);
    expect(conditionHolds({ field: 'x', set: true }, { x: '' })).toBe(false);
  });

  it('checks coverage over every enabled event kind the mapping declares, not a fixed list', () => {
    const mapping = loadYamlFile(join(fromPackageRoot('mappings'), 'klaviyo.yaml'), mappingConfigSchema);
    const kinds = coverage([], mapping).eventKinds;
    const enabled = [mapping.events.lifecycleSegmentChanged, ...Object.values(mapping.events.shipments)].filter((e) => e.enabled).map((e) => e.metric);
    expect(kinds.map((k) => k.metric).sort()).toEqual(expect.arrayContaining(enabled.sort()));
    expect(kinds.every((k) => k.live === 0)).toBe(true);
    const renamed = { ...mapping, events: { ...mapping.events, shipments: { ...mapping.events.shipments, delivered: { metric: 'Parcel Arrived', enabled: true } } } };
    expect(coverage([], renamed).eventKinds.map((k) => k.metric)).toContain('Parcel Arrived');
  });
});
