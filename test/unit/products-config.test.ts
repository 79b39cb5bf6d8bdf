import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from '../../src/config/env';
import { loadSettings } from '../../src/config/load';
import { ConfigError } from '../../src/config/yaml-file';
import { DEFAULT_PRODUCTS_CONFIG } from '../../src/enrichment/products/config';
import { fromPackageRoot } from '../../src/util/package-root';

/** config/products.yaml is validated at start-up like the other files; `enabled: false` turns product signals off. */
function withProducts(edit: (text: string) => string): { config: string; mappings: string } {
  const config = mkdtempSync(join(tmpdir(), 'shipsignal-products-'));
  cpSync(fromPackageRoot('config'), config, { recursive: true });
  writeFileSync(join(config, 'products.yaml'), edit(readFileSync(join(config, 'products.yaml'), 'utf8')));
  return { config, mappings: fromPackageRoot('mappings') };
}

const load = (dirs: { config: string; mappings: string }) => loadSettings(parseEnv({ SHIPSIGNAL_CONFIG_DIR: dirs.config, SHIPSIGNAL_MAPPINGS_DIR: dirs.mappings }));
const productFields = (fields: Record<string, string>) => Object.values(fields).filter((field) => field.startsWith('products.'));

describe('config/products.yaml', () => {
  test('the shipped file holds the defaults: product signals on, their properties mapped', () => {
    const settings = load(withProducts((t) => t));
    expect(settings.products).toEqual(DEFAULT_PRODUCTS_CONFIG);
    expect(settings.products.enabled).toBe(true);
    expect(productFields(settings.mapping.profile.properties)).toEqual([
      'products.top_category', 'products.category_affinity', 'products.recommended_products', 'products.next_replenishment_at', 'products.replenishment_product',
    ]);
  });

  test('enabled: false drops the products.* properties from the mapping and keeps every other one', () => {
    const on = load(withProducts((t) => t));
    const off = load(withProducts((t) => t.replace('enabled: true', 'enabled: false')));
    expect(off.products.enabled).toBe(false);
    expect(productFields(off.mapping.profile.properties)).toEqual([]);
    const others = Object.fromEntries(Object.entries(on.mapping.profile.properties).filter(([, field]) => !field.startsWith('products.')));
    expect(off.mapping.profile.properties).toEqual(others);
    expect(Object.keys(others).length).toBeGreaterThan(10);
  });

  test('a switch that is not a boolean names the file, the key and what is allowed', () => {
    let problems: string[] = [];
    try {
      load(withProducts((t) => t.replace('enabled: true', 'enabled: sometimes')));
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems = [...error.problems];
    }
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/products\.yaml.*products\.enabled.*boolean/);
  });
});
