import { envSchema, parseEnv, type Env } from '../config/env';
import { ConfigError } from '../config/yaml-file';
import { configurationProblems } from '../daemon/compose';

/**
 * A fleet store's configuration is the same set of variables a single-store daemon reads (README's configuration
 * table), held per store in the registry: secrets sealed, the rest plain. Pure: no I/O here.
 */

/** Variables the fleet sets itself: a store cannot override where its state lives or which id it has. */
const FLEET_OWNED = new Set(['SHIPSIGNAL_STATE_URL', 'SHIPSIGNAL_STORE_ID', 'SHIPSIGNAL_HTTP_PORT', 'SHIPSIGNAL_HTTP_TOKEN', 'SHIPSIGNAL_SHUTDOWN_TIMEOUT_MS']);
/** Credentials and webhook secrets, by the naming every such variable follows. */
const SECRET_NAME = /(_TOKEN|_SECRET|_API_KEY|_CONSUMER_KEY)$/;

export const isSecretVariable = (name: string): boolean => SECRET_NAME.test(name);

export interface SplitVariables {
  readonly settings: Record<string, string>;
  readonly secrets: Record<string, string>;
}

/** Splits `KEY=value` assignments into plain settings and secrets; names every unknown or fleet-owned key. */
export function splitAssignments(assignments: readonly string[]): SplitVariables {
  const settings: Record<string, string> = {};
  const secrets: Record<string, string> = {};
  const problems: string[] = [];
  const known = new Set(Object.keys(envSchema.shape));
  for (const assignment of assignments) {
    const at = assignment.indexOf('=');
    const name = at > 0 ? assignment.slice(0, at) : assignment;
    if (at <= 0) problems.push(`--set ${name}: expected KEY=value`);
    else if (!known.has(name)) problems.push(`--set ${name}: not a shipsignal variable (see the README's configuration table)`);
    else if (FLEET_OWNED.has(name)) problems.push(`--set ${name}: set by the fleet for every store, not per store`);
    else (isSecretVariable(name) ? secrets : settings)[name] = assignment.slice(at + 1);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { settings, secrets };
}

/**
 * The worker's own SHIPSIGNAL_* defaults (log level, config and mappings directories, lease ttl…), never another
 * store's credentials: only SHIPSIGNAL_ variables of the worker's environment reach a store.
 */
export function workerDefaults(source: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(source).filter((entry): entry is [string, string] =>
    entry[0].startsWith('SHIPSIGNAL_') && !FLEET_OWNED.has(entry[0]) && entry[0] in envSchema.shape && typeof entry[1] === 'string' && entry[1] !== ''));
}

/** The Env a store's jobs run with; throws ConfigError naming the store and every problem. */
export function storeEnv(storeId: string, databaseUrl: string, defaults: Readonly<Record<string, string>>, vars: SplitVariables): Env {
  const env = parseEnv({ ...defaults, ...vars.settings, ...vars.secrets, SHIPSIGNAL_STORE_ID: storeId, SHIPSIGNAL_STATE_URL: databaseUrl });
  const problems = configurationProblems(env);
  if (problems.length > 0) throw new ConfigError(problems.map((problem) => `store ${storeId}: ${problem}`));
  return env;
}
