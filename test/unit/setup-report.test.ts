import { changeOf, describeKind } from '../../src/cli/setup-report';
import type { StoredObject } from '../../src/pipeline/provision';
import type { ProvisionLine } from '../../src/sinks/provisioner';

/** doctor's starter-set lines: what setup stored at create against what the destination shows now. */
const snapshot = { status: 'draft', definition: 'abc' };
const stored = (id: string | null, withSnapshot: boolean): StoredObject => ({ id, snapshot: withSnapshot && id ? { id, ...snapshot } : null });

describe('changeOf', () => {
  it('tells as-created, status and definition changes, a replaced object, and the two cases it cannot tell', () => {
    expect(changeOf(stored('F1', true), 'F1', snapshot)).toBeNull();
    expect(changeOf(stored('F1', true), 'F1', { status: 'live', definition: 'abc' })).toBe('status draft → live');
    expect(changeOf(stored('F1', true), 'F1', { status: 'manual', definition: 'xyz' })).toBe('status draft → manual, definition edited');
    expect(changeOf(stored('F1', true), 'F2', snapshot)).toBe('replaced: id F2, setup created F1');
    expect(changeOf(stored('F1', false), 'F1', snapshot)).toBe('unrecorded');
    expect(changeOf(undefined, 'F9', snapshot)).toBe('foreign');
  });
});

describe('describeKind', () => {
  const line = (name: string, outcome: ProvisionLine['outcome']): ProvisionLine => ({ kind: 'flow', name, outcome });
  it('names every object in one line per kind', () => {
    const result = {
      planned: [],
      lines: [
        line('a', { status: 'exists', id: 'F1', snapshot }),
        line('b', { status: 'exists', id: 'F2', snapshot: { status: 'live', definition: 'abc' } }),
        line('c', { status: 'exists', id: 'F3', snapshot }),
        line('d', { status: 'created', id: null, snapshot: null }),
        line('e', { status: 'waiting', cause: 'metric', reason: 'no metric' }),
        { kind: 'segment' as const, name: 's', outcome: { status: 'failed' as const, error: 'nope' } },
      ],
    };
    const known = new Map([['flow:a', stored('F1', true)], ['flow:b', stored('F2', true)]]);
    expect(describeKind('flow', result, known)).toBe(
      '3 of 5 exist (1 as setup created them); CHANGED in Klaviyo since setup created them: "b" (status draft → live); '
      + 'not created by this setup (found by name, left alone): "c"; missing "d" (run shipsignal setup); waiting "e" (no event of its trigger metric yet)',
    );
    expect(() => describeKind('segment', result, known)).toThrow('"s": nope');
  });
});
