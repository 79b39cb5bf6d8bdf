import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from '../../src/config/env';
import { loadSettings } from '../../src/config/load';
import { ConfigError } from '../../src/config/yaml-file';
import { fromPackageRoot } from '../../src/util/package-root';

/** Start-up validation: a bad value stops shipsignal with one line naming where, what and what is allowed. */
function configCopy(edit: (file: string, text: string) => string): { config: string; mappings: string } {
  const config = mkdtempSync(join(tmpdir(), 'shipsignal-config-'));
  const mappings = mkdtempSync(join(tmpdir(), 'shipsignal-mappings-'));
  cpSync(fromPackageRoot('config'), config, { recursive: true });
  cpSync(fromPackageRoot('mappings'), mappings, { recursive: true });
  for (const [dir, file] of [[config, 'lifecycle.yaml'], [config, 'delivery.yaml'], [config, 'shipments.yaml'], [mappings, 'klaviyo.yaml']]) {
    writeFileSync(join(dir, file), edit(file, readFileSync(join(dir, file), 'utf8')));
  }
  return { config, mappings };
}

const problemsOf = (dirs: { config: string; mappings: string }): string[] => {
  try {
    loadSettings(parseEnv({ SHIPSIGNAL_CONFIG_DIR: dirs.config, SHIPSIGNAL_MAPPINGS_DIR: dirs.mappings }));
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
};

describe('configuration validation', () => {
  it('loads the shipped files, and an edited value takes effect', () => {
    const dirs = configCopy((file, text) => (file === 'lifecycle.yaml' ? text.replace('minOrders: 10 ', 'minOrders: 4 ') : text));
    const settings = loadSettings(parseEnv({ SHIPSIGNAL_CONFIG_DIR: dirs.config, SHIPSIGNAL_MAPPINGS_DIR: dirs.mappings }));
    expect(settings.lifecycle.vip.minOrders).toBe(4);
    expect(settings.mapping.profile.prefix).toBe('ss_');
  });

  it('names the file, the key and the allowed values', () => {
    const dirs = configCopy((file, text) =>
      file === 'lifecycle.yaml' ? text.replace('minOrders: 10 ', 'minOrder: 10 ')
        : file === 'klaviyo.yaml' ? text.replace('segment: lifecycle.segment', 'segment: lifecycle.segmnt')
          : text);
    const problems = problemsOf(dirs).join('\n');
    expect(problems).toMatch(/lifecycle\.yaml: lifecycle\.vip\.minOrder: unknown key \(allowed here: minOrders, minSpentMinor, topPercent, minCustomersForTopPercent\)/);
    expect(problems).toMatch(/klaviyo\.yaml: profile\.properties\.segment: .*"lifecycle\.segment"/);
  });

  it('shipments.yaml: the pending horizon and the held-share threshold, with their defaults and bounds', () => {
    const shipped = configCopy((_, text) => text);
    expect(loadSettings(parseEnv({ SHIPSIGNAL_CONFIG_DIR: shipped.config, SHIPSIGNAL_MAPPINGS_DIR: shipped.mappings })).shipments)
      .toEqual({ reviewRequestDelayDays: 7, pendingHorizonDays: 30, trackingHorizonDays: 60, holdShareWarningPercent: 20 });
    const bad = problemsOf(configCopy((file, text) => (file === 'shipments.yaml'
      ? text.replace('pendingHorizonDays: 30', 'pendingHorizonDays: 6').replace('holdShareWarningPercent: 20', 'holdShareWarningPercent: 0')
      : text))).join('\n');
    expect(bad).toMatch(/shipments\.yaml: shipments\.pendingHorizonDays: .*>=7/);
    expect(bad).toMatch(/shipments\.yaml: shipments\.holdShareWarningPercent: .*>0/);
    // A horizon the stalled-fulfillment rule could not fire within (its threshold raised to 10 business days).
    const tight = problemsOf(configCopy((file, text) => (file === 'delivery.yaml'
      ? text.replace(/businessHours: 72\b/, 'businessHours: 240')
      : file === 'shipments.yaml' ? text.replace('pendingHorizonDays: 30', 'pendingHorizonDays: 20') : text)));
    expect(tight).toEqual([expect.stringMatching(/shipments\.yaml: shipments\.pendingHorizonDays: must be more than 20 days \(twice delivery\.yaml rules\.stalledFulfillment\.businessHours 240 h in days\), got 20/)]);
  });

  it('rejects a bad environment value with the variable and what is allowed', () => {
    expect(() => parseEnv({ SHIPSIGNAL_LOG_LEVEL: 'loud' })).toThrow(/SHIPSIGNAL_LOG_LEVEL.*"error"\|"warn"\|"info"\|"debug"/);
    expect(() => parseEnv({ SHIPSIGNAL_STATE_URL: 'mysql://x' })).toThrow(/SHIPSIGNAL_STATE_URL: expected sqlite:\/\/PATH, redis:\/\/… or postgres:\/\/…/);
    expect(() => parseEnv({ SHOPIFY_PAGE_SIZE: '50' })).toThrow(/SHOPIFY_PAGE_SIZE: at most 15/);
    expect(() => parseEnv({ SHIPSIGNAL_SETUP: 'yes' })).toThrow(/SHIPSIGNAL_SETUP.*"off"\|"auto"/);
    expect(parseEnv({}).SHIPSIGNAL_SETUP).toBe('off');
  });
});
