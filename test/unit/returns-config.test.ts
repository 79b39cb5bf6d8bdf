import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from '../../src/config/env';
import { loadSettings } from '../../src/config/load';
import { DEFAULT_TRUST } from '../../src/enrichment/returns/config';
import { ConfigError } from '../../src/config/yaml-file';
import { fromPackageRoot } from '../../src/util/package-root';

/** config/trust.yaml is validated at start-up like the other files, and the shipped file is the documented defaults. */
function withTrust(edit: (text: string) => string): { config: string; mappings: string } {
  const config = mkdtempSync(join(tmpdir(), 'shipsignal-trust-'));
  cpSync(fromPackageRoot('config'), config, { recursive: true });
  writeFileSync(join(config, 'trust.yaml'), edit(readFileSync(join(config, 'trust.yaml'), 'utf8')));
  return { config, mappings: fromPackageRoot('mappings') };
}

const load = (dirs: { config: string; mappings: string }) => loadSettings(parseEnv({ SHIPSIGNAL_CONFIG_DIR: dirs.config, SHIPSIGNAL_MAPPINGS_DIR: dirs.mappings }));

describe('config/trust.yaml', () => {
  test('the shipped file holds the defaults the README documents', () => {
    expect(load(withTrust((t) => t)).trust).toEqual(DEFAULT_TRUST);
    expect(DEFAULT_TRUST).toMatchObject({ damagedOrLostParcel: { windowDays: 60 }, defectReturn: { windowDays: 90 } });
  });

  test('an edited window takes effect; a bad one names the file, the key and what is allowed', () => {
    expect(load(withTrust((t) => t.replace('windowDays: 90', 'windowDays: 30'))).trust?.defectReturn.windowDays).toBe(30);
    let problems: string[] = [];
    try {
      load(withTrust((t) => t.replace('windowDays: 90', 'windowDays: 0')));
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems = [...error.problems];
    }
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/trust\.yaml.*trust\.defectReturn\.windowDays/);
  });
});
