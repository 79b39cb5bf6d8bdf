import { join } from 'node:path';
import { deliveryConfigSchema } from '../enrichment/delivery/config';
import { lifecycleConfigSchema } from '../enrichment/lifecycle/config';
import { mappingConfigSchema } from '../mapping/mapping-config';
import type { PipelineSettings } from '../pipeline/context';
import { shipmentSettingsSchema } from '../pipeline/shipment-settings';
import type { Env } from './env';
import { loadYamlFile } from './yaml-file';

/** Reads and validates every user-editable file. Throws ConfigError naming the file, the key and what is allowed. */
export function loadSettings(env: Env): PipelineSettings {
  return {
    lifecycle: loadYamlFile(join(env.SHIPSIGNAL_CONFIG_DIR, 'lifecycle.yaml'), lifecycleConfigSchema),
    mapping: loadYamlFile(join(env.SHIPSIGNAL_MAPPINGS_DIR, 'klaviyo.yaml'), mappingConfigSchema),
    liveCutoffHours: env.SHIPSIGNAL_LIVE_CUTOFF_HOURS,
    backfill: env.SHIPSIGNAL_BACKFILL,
    delivery: loadYamlFile(join(env.SHIPSIGNAL_CONFIG_DIR, 'delivery.yaml'), deliveryConfigSchema),
    shipments: loadYamlFile(join(env.SHIPSIGNAL_CONFIG_DIR, 'shipments.yaml'), shipmentSettingsSchema).shipments,
  };
}
