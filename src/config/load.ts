import { statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { deliveryConfigSchema, type DeliveryConfig } from '../enrichment/delivery/config';
import { lifecycleConfigSchema } from '../enrichment/lifecycle/config';
import { trustConfigSchema } from '../enrichment/returns/config';
import { productsConfigSchema } from '../enrichment/products/config';
import { mappingConfigSchema, type MappingConfig } from '../mapping/mapping-config';
import type { PipelineSettings } from '../pipeline/context';
import { shipmentSettingsSchema } from '../pipeline/shipment-settings';
import type { Env } from './env';
import { z } from 'zod';
import { ConfigError, loadYamlFile } from './yaml-file';

/**
 * The pending-parcel horizon must leave the stalled-fulfillment rule room to fire: N business hours can span twice
 * as many calendar days around weekends and holidays, so the horizon must be longer than that.
 */
function horizonProblems(delivery: DeliveryConfig, shipments: PipelineSettings['shipments'], dir: string): string[] {
  const stall = delivery.rules.stalledFulfillment;
  const minDays = (2 * stall.businessHours) / 24;
  if (!stall.enabled || shipments.pendingHorizonDays > minDays) return [];
  const file = join(dir, 'shipments.yaml');
  return [`${relative(process.cwd(), file) || file}: shipments.pendingHorizonDays: must be more than ${minDays} days ` +
    `(twice delivery.yaml rules.stalledFulfillment.businessHours ${stall.businessHours} h in days), got ${shipments.pendingHorizonDays}`];
}

const lifecycleFileSchema = z.object({ lifecycle: lifecycleConfigSchema.prefault({}) }).strict();
const productsFileSchema = z.object({ products: productsConfigSchema.prefault({}) }).strict();

/** Reads and validates every user-editable file. Throws ConfigError naming the file, the key and what is allowed. */
export function loadSettings(env: Env): PipelineSettings {
  const problems: string[] = [];
  // Every file is checked before failing, so one start-up shows every mistake.
  const load = <S extends z.ZodType>(dir: string, file: string, schema: S): z.output<S> | null => {
    try {
      return loadYamlFile(join(dir, file), schema);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
      return null;
    }
  };
  // A missing file inside a directory means its defaults; a missing directory is a mistake (a wrong path or an
  // unmounted volume), never silent defaults.
  for (const [name, dir] of [['SHIPSIGNAL_CONFIG_DIR', env.SHIPSIGNAL_CONFIG_DIR], ['SHIPSIGNAL_MAPPINGS_DIR', env.SHIPSIGNAL_MAPPINGS_DIR]] as const) {
    if (!isDirectory(dir)) problems.push(`environment ${name}: directory ${dir} does not exist`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const lifecycle = load(env.SHIPSIGNAL_CONFIG_DIR, 'lifecycle.yaml', lifecycleFileSchema);
  const mapping = load(env.SHIPSIGNAL_MAPPINGS_DIR, 'klaviyo.yaml', mappingConfigSchema);
  const delivery = load(env.SHIPSIGNAL_CONFIG_DIR, 'delivery.yaml', deliveryConfigSchema);
  const shipments = load(env.SHIPSIGNAL_CONFIG_DIR, 'shipments.yaml', shipmentSettingsSchema);
  const trust = load(env.SHIPSIGNAL_CONFIG_DIR, 'trust.yaml', trustConfigSchema);
  const products = load(env.SHIPSIGNAL_CONFIG_DIR, 'products.yaml', productsFileSchema);
  if (delivery && shipments) problems.push(...horizonProblems(delivery, shipments.shipments, env.SHIPSIGNAL_CONFIG_DIR));
  if (!lifecycle || !mapping || !delivery || !shipments || !trust || !products || problems.length > 0) throw new ConfigError(problems);
  return {
    lifecycle: lifecycle.lifecycle,
    mapping: products.products.enabled ? mapping : withoutProductFields(mapping),
    liveCutoffHours: env.SHIPSIGNAL_LIVE_CUTOFF_HOURS,
    backfill: env.SHIPSIGNAL_BACKFILL,
    delivery,
    shipments: shipments.shipments,
    trust: trust.trust,
    products: products.products,
  };
}

/**
 * With product signals off (products.yaml `enabled: false`) their properties are not sent at all, rather than sent
 * as removals on every patch: the mapping keeps its other properties, and `Replenishment Due` never has a cycle.
 */
function withoutProductFields(mapping: MappingConfig): MappingConfig {
  const properties = Object.fromEntries(Object.entries(mapping.profile.properties).filter(([, field]) => !field.startsWith('products.')));
  return { ...mapping, profile: { ...mapping.profile, properties } };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
