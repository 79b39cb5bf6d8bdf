import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromPackageRoot } from '../../src/util/package-root';

/** A copy of mappings/klaviyo.yaml with Placed Order and Ordered Product on: one deterministic event per order. */
export function mappingsWithOrderEvents(): string {
  const dir = mkdtempSync(join(tmpdir(), 'shipsignal-mappings-'));
  const yaml = readFileSync(fromPackageRoot('mappings', 'klaviyo.yaml'), 'utf8')
    .replace(/(placedOrder:\n\s+metric: Placed Order\n\s+enabled:) false/, '$1 true')
    .replace(/(orderedProduct:\n\s+metric: Ordered Product\n\s+enabled:) false/, '$1 true');
  if (!/placedOrder:\n\s+metric: Placed Order\n\s+enabled: true/.test(yaml)) throw new Error('mappings/klaviyo.yaml changed shape: update this helper');
  writeFileSync(join(dir, 'klaviyo.yaml'), yaml);
  return dir;
}
