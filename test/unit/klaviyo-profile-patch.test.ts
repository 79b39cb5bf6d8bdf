import { patchHash, splitRemovals } from '../../src/mapping/profile';
import type { ProfilePatch } from '../../src/model/records';
import { mergePatches } from '../../src/sinks/klaviyo/batching';
import { profileResource } from '../../src/sinks/klaviyo/payloads';

const base: ProfilePatch = {
  kind: 'profile', identity: { email: 'a@example.com', phoneNumber: null, externalId: null }, firstName: null, lastName: null,
  properties: {},
};

describe('profile patches: removal is not null', () => {
  it('a field with no value now is a removal, never a null value', () => {
    expect(splitRemovals([['ss_b', null], ['ss_a', 'x'], ['ss_c', false], ['ss_a2', null]]))
      .toEqual({ properties: { ss_a: 'x', ss_c: false }, unset: ['ss_a2', 'ss_b'] });
  });

  it('the wire resource carries removals in meta.patchProperties.unset and nulls as values', () => {
    expect(profileResource({ ...base, properties: { Kept: null, Set: 1 }, unset: ['Gone'] })).toEqual({
      type: 'profile',
      attributes: { email: 'a@example.com', properties: { Kept: null, Set: 1 } },
      meta: { patchProperties: { unset: ['Gone'] } },
    });
    expect(profileResource({ ...base, properties: { Set: 1 } })).not.toHaveProperty('meta');
  });

  it('the hash tells a removal from no change, and is unchanged for patches without removals', () => {
    expect(patchHash({ ...base, properties: { A: 1 }, unset: ['B'] })).not.toBe(patchHash({ ...base, properties: { A: 1 } }));
    expect(patchHash({ ...base, properties: { A: 1 }, unset: [] })).toBe(patchHash({ ...base, properties: { A: 1 } }));
  });

  it('merging: the later patch wins per property, value or removal', () => {
    const merged = mergePatches({ ...base, properties: { A: 1, B: 2 }, unset: ['C', 'D'] }, { ...base, properties: { C: 3 }, unset: ['A'] });
    expect(merged.properties).toEqual({ B: 2, C: 3 });
    expect(merged.unset).toEqual(['A', 'D']);
  });
});
