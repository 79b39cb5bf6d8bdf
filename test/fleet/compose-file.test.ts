import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import YAML from 'yaml';
import { envSchema, parseEnv } from '../../src/config/env';
import { fleetSchema, parseFleetEnv } from '../../src/fleet/config';
import { fromPackageRoot, packageRoot } from '../../src/util/package-root';
import { cliEntry, freePort, sleepMs, spawnCli } from '../helpers/child-daemon';
import { obliterateFleet, testFleet, TEST_POSTGRES, TEST_REDIS } from '../helpers/fleet';

/**
 * config/fleet.compose.yaml, checked without Docker (the machines that run this suite have none): its services
 * (Redis, PostgreSQL, a worker to scale), that every variable it sets is one shipsignal reads and valid as the
 * worker validates it, that its URLs name its own services and credentials, that its commands are the CLI's, and
 * that the worker's health check (the image's HEALTHCHECK, which the service inherits) passes against a real
 * worker started with the compose file's environment, and fails without one.
 */
const COMPOSE_PATH = fromPackageRoot('config', 'fleet.compose.yaml');
const text = readFileSync(COMPOSE_PATH, 'utf8');

interface Service {
  image?: string; build?: { context: string; dockerfile?: string }; command?: string[]; environment?: Record<string, string>;
  healthcheck?: { test: string[] }; depends_on?: Record<string, { condition: string }>; volumes?: string[]; expose?: string[];
  ports?: unknown; container_name?: string; stop_grace_period?: string;
}
const compose = YAML.parse(text) as { services: Record<string, Service>; volumes?: Record<string, unknown> };
const { redis, postgres, worker } = compose.services;

/** Compose's interpolation: `${NAME}`, `${NAME:-default}`, `${NAME:?error}` (required), `$$`. */
function interpolate(value: string, vars: Readonly<Record<string, string>>, required: Set<string>): string {
  return value.replace(/\$\$|\$\{([A-Z0-9_]+)(?::([?-])([^}]*))?\}/g, (match, name: string | undefined, kind: string | undefined, rest: string) => {
    if (match === '$$') return '$';
    if (kind === '?') required.add(name as string);
    const found = vars[name as string];
    if (found !== undefined && found !== '') return found;
    if (kind === '-') return rest;
    if (kind === '?') throw new Error(`${name} is required: ${rest}`);
    return '';
  });
}

const exported = { SHIPSIGNAL_FLEET_KEY: Buffer.alloc(32, 7).toString('base64'), SHIPSIGNAL_HTTP_TOKEN: 'compose-test-token-0123456789abcdef' };
const required = new Set<string>();
const workerEnv = Object.fromEntries(Object.entries(worker?.environment ?? {}).map(([key, value]) => [key, interpolate(String(value), exported, required)]));

/** Milliseconds of a compose duration such as `30s`, `1m30s`, `500ms`. */
function durationMs(value: string): number {
  let total = 0;
  for (const [, amount, unit] of value.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) total += Number(amount) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit as 'ms' | 's' | 'm' | 'h'];
  return total;
}

/** The Dockerfile the worker is built from, and its HEALTHCHECK command (shell form) and HTTP port. */
const dockerfilePath = resolve(dirname(COMPOSE_PATH), worker?.build?.context ?? '.', worker?.build?.dockerfile ?? 'Dockerfile');
const dockerfile = existsSync(dockerfilePath) ? readFileSync(dockerfilePath, 'utf8').replace(/\\\n\s*/g, '') : '';
const healthcheck = /^HEALTHCHECK\b.*?\bCMD (.+)$/m.exec(dockerfile)?.[1] ?? '';
const imagePort = /SHIPSIGNAL_HTTP_PORT=(\d+)/.exec(dockerfile)?.[1] ?? '';

describe('config/fleet.compose.yaml', () => {
  it('runs Redis, PostgreSQL and a worker to scale, each dependency healthy before the workers start', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['postgres', 'redis', 'worker']);
    // --scale worker=N: no fixed container name and no published host port on the worker.
    expect(worker.container_name).toBeUndefined();
    expect(worker.ports).toBeUndefined();
    expect(Object.entries(worker.depends_on ?? {}).sort()).toEqual([['postgres', { condition: 'service_healthy' }], ['redis', { condition: 'service_healthy' }]]);
    // BullMQ requires noeviction: an evicted key is a lost job.
    expect(redis.command?.join(' ')).toMatch(/--maxmemory-policy noeviction/);
    expect(redis.healthcheck?.test).toEqual(['CMD', 'redis-cli', 'ping']);
    expect(postgres.healthcheck?.test).toEqual(['CMD', 'pg_isready', '-U', postgres.environment?.POSTGRES_USER]);
    // Every named volume a service mounts is declared.
    const named = Object.values(compose.services).flatMap((service) => service.volumes ?? []).map((volume) => volume.split(':')[0]).filter((name) => !name.startsWith('.') && !name.startsWith('/'));
    expect(named.length).toBeGreaterThan(0);
    for (const name of named) expect(compose.volumes).toHaveProperty([name]);
    expect(existsSync(dockerfilePath)).toBe(true);
    expect(dockerfilePath).toBe(join(packageRoot(), 'Dockerfile'));
  });

  it('sets only variables shipsignal reads, valid as the worker validates them, naming its own services', () => {
    const known = new Set([...Object.keys(fleetSchema.shape), ...Object.keys(envSchema.shape)]);
    expect(Object.keys(workerEnv).filter((name) => !known.has(name))).toEqual([]);
    const fleet = parseFleetEnv(workerEnv);
    const env = parseEnv(workerEnv);
    expect(new URL(fleet.SHIPSIGNAL_FLEET_REDIS_URL).hostname).toBe('redis');
    const database = new URL(fleet.SHIPSIGNAL_FLEET_DATABASE_URL);
    expect([database.hostname, database.username, database.password, database.pathname.slice(1)])
      .toEqual(['postgres', postgres.environment?.POSTGRES_USER, postgres.environment?.POSTGRES_PASSWORD, postgres.environment?.POSTGRES_DB]);
    // What a user must export is what the file's usage says to export.
    const usage = /export (.+)$/m.exec(text)?.[1] ?? '';
    expect([...required].sort()).toEqual([...usage.matchAll(/([A-Z0-9_]+)=/g)].map((match) => match[1]).sort());
    // Compose's SIGKILL comes after the worker's own shutdown deadline, so running jobs finish or are handed back.
    expect(durationMs(worker.stop_grace_period ?? '10s')).toBeGreaterThan(env.SHIPSIGNAL_SHUTDOWN_TIMEOUT_MS);
    // The worker listens where the service exposes it (the image's port: the file sets none of its own).
    expect(workerEnv.SHIPSIGNAL_HTTP_PORT).toBeUndefined();
    expect(worker.expose).toEqual([imagePort]);
  });

  it('runs commands the CLI has, with the options its usage lines pass (the built CLI, the image\'s entrypoint)', () => {
    // `<command…> --help` prints that command's usage line; an unknown command gets the program's own.
    const help = (args: readonly string[]) => spawnSync(process.execPath, [cliEntry(), ...args, '--help'], { cwd: packageRoot(), encoding: 'utf8', timeout: 20_000 });
    const usage = (args: readonly string[]) => new RegExp(`^Usage: shipsignal ${args.join(' ')} `, 'm');
    expect(help(['no-such-command']).stdout).not.toMatch(usage(['no-such-command']));
    expect(/ENTRYPOINT \["node", "dist\/src\/cli\/main.js"\]/.test(dockerfile)).toBe(true);
    expect(help(worker.command ?? []).stdout).toMatch(usage(worker.command ?? []));
    const runs = [...text.matchAll(/docker compose -f \S+ run --rm worker (.+)$/gm)].map((match) => match[1].split(/\s+/));
    expect(runs.length).toBeGreaterThan(0);
    for (const args of runs) {
      const shown = help(args.slice(0, 2));
      expect(shown.stdout).toMatch(usage(args.slice(0, 2)));
      for (const option of args.filter((arg) => arg.startsWith('--'))) expect(shown.stdout).toContain(`${option} `);
    }
    expect(text).toMatch(/--scale worker=\d+/);
  }, 60_000);

  it('passes the worker\'s health check (the image\'s HEALTHCHECK) on a worker with this environment, fails without one', async () => {
    expect(healthcheck).toContain('/healthz');
    const check = (port: number) => spawnSync('sh', ['-c', healthcheck], { env: { ...process.env, SHIPSIGNAL_HTTP_PORT: String(port) }, timeout: 10_000 }).status;
    const port = await freePort();
    expect(check(port)).toBe(1);
    // The compose environment, its service hosts replaced by this machine's Redis and PostgreSQL, in a fleet of its own.
    const fleet = testFleet();
    const child = spawnCli('worker', {
      ...workerEnv, SHIPSIGNAL_FLEET_REDIS_URL: TEST_REDIS, SHIPSIGNAL_FLEET_DATABASE_URL: TEST_POSTGRES,
      SHIPSIGNAL_FLEET_NAME: fleet.SHIPSIGNAL_FLEET_NAME, SHIPSIGNAL_HTTP_PORT: String(port), SHIPSIGNAL_LOG_LEVEL: 'error',
    });
    try {
      let status: number | null = 1;
      for (let i = 0; i < 100 && status !== 0; i++) {
        await sleepMs(200);
        status = check(port);
      }
      expect(status).toBe(0);
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(200);
      child.kill('SIGTERM');
      const started = Date.now();
      expect((await child.exited).code).toBe(0);
      expect(Date.now() - started).toBeLessThan(durationMs(worker.stop_grace_period ?? '10s'));
    } finally {
      child.kill('SIGKILL');
      await obliterateFleet(fleet);
    }
  }, 60_000);
});

