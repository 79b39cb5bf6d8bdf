import cron from 'node-cron';
import type { Server } from 'node:http';
import type { App } from './app';
import { startHttpServer, type HttpRoutes, type WebhookHandler } from './http-server';
import { runScheduled } from './jobs';
import { untilStopped } from './shutdown';

/**
 * The long-running daemon: one cron schedule per job (orders, trackers, reviews, drain, and setup with
 * SHIPSIGNAL_SETUP=auto; a tick skips while its kind is still running), the HTTP server, and a graceful stop on SIGTERM/SIGINT (see the README's "Stopping").
 * The cron expressions were validated with the other variables at start-up. `routes` are the pages other modules
 * mount on the HTTP face (see HttpRoutes).
 */
export async function runDaemon(app: App, webhooks: Readonly<Record<string, WebhookHandler>> = {}, routes: readonly HttpRoutes[] = []): Promise<void> {
  const { env, context } = app;
  const { logger } = context;
  const server: Server = await startHttpServer({
    port: env.SHIPSIGNAL_HTTP_PORT,
    token: env.SHIPSIGNAL_HTTP_TOKEN ?? null,
    health: app.health,
    registry: context.metrics.registry,
    webhooks,
    routes,
    ...(env.SHIPSIGNAL_TRUST_PROXY ? { trustProxy: env.SHIPSIGNAL_TRUST_PROXY === 'true' ? true : env.SHIPSIGNAL_TRUST_PROXY } : {}),
  });
  const jobs = app.scheduled();
  logger.info('shipsignal started', { port: env.SHIPSIGNAL_HTTP_PORT, schedules: Object.fromEntries(jobs.map((job) => [job.name, job.cron])) });
  const deps = { signal: app.signal, logger };
  const tasks = jobs.map((job) => {
    const tick = () => runScheduled(deps, job.name, job.run);
    const task = cron.schedule(job.cron, tick, { noOverlap: true, name: job.name });
    context.metrics.jobRuns.scheduled(job.name, job.cron, () => task.getNextRun());
    return { tick, task };
  });
  // Every job runs once at start, side by side: readiness needs each source and the destination to succeed once.
  for (const { tick } of tasks) void tick();

  await untilStopped(logger, 'shipsignal', env.SHIPSIGNAL_SHUTDOWN_TIMEOUT_MS, 'shutdown timed out; exiting with work still queued in the outbox', () => {
    for (const { task } of tasks) void task.stop();
    // Stops accepting connections; a webhook request already being handled is answered (its work is queued in
    // the background and ends with the jobs below).
    server.close();
    return app.close();
  });
}
