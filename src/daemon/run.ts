import cron from 'node-cron';
import type { Server } from 'node:http';
import type { App } from './app';
import { startHttpServer, type WebhookHandler } from './http-server';

/**
 * The long-running daemon: cron-scheduled syncs and reviews (never overlapping: node-cron's noOverlap plus the app's
 * job lock), the HTTP server, and a graceful stop on SIGTERM/SIGINT that lets the current batch finish, flushes
 * state and exits within the configured timeout.
 */
export async function runDaemon(app: App, webhooks: Readonly<Record<string, WebhookHandler>> = {}): Promise<void> {
  const { env, context } = app;
  const { logger } = context;
  for (const [name, expression] of [['SHIPSIGNAL_SYNC_CRON', env.SHIPSIGNAL_SYNC_CRON], ['SHIPSIGNAL_REVIEW_CRON', env.SHIPSIGNAL_REVIEW_CRON]]) {
    if (!cron.validate(expression)) throw new Error(`environment ${name}: not a valid cron expression: ${expression}`);
  }
  const server: Server = await startHttpServer({
    port: env.SHIPSIGNAL_HTTP_PORT,
    token: env.SHIPSIGNAL_HTTP_TOKEN ?? null,
    health: app.health,
    registry: context.metrics.registry,
    webhooks,
  });
  logger.info('shipsignal started', { port: env.SHIPSIGNAL_HTTP_PORT, sync: env.SHIPSIGNAL_SYNC_CRON, review: env.SHIPSIGNAL_REVIEW_CRON });

  const runJob = (name: string, job: () => Promise<unknown>) => async () => {
    if (app.signal.aborted) return;
    try {
      const result = await app.exclusive(job);
      logger.info(`${name} finished`, { result });
    } catch (error) {
      // A stop cuts retries short on purpose: what was not delivered waits in the outbox for the next start.
      if (app.signal.aborted) logger.info(`${name} interrupted by shutdown; undelivered work stays queued`, { reason: (error as Error).message });
      else logger.error(`${name} failed`, { error });
    }
  };
  const sync = runJob('sync', async () => {
    const { result, drained } = await app.deliverWhile(async () => ({ ...(await app.pollOrders()), trackers: await app.pollTrackers() }));
    await app.checkHoldShare();
    return { ...result, drained };
  });
  const review = runJob('review', async () => {
    const { result, drained } = await app.deliverWhile(async () => ({ ...(await app.reviewCustomers()), shipments: await app.recheckShipments() }));
    await app.checkHoldShare();
    return { ...result, drained };
  });
  const tasks = [
    cron.schedule(env.SHIPSIGNAL_SYNC_CRON, sync, { noOverlap: true, name: 'sync' }),
    cron.schedule(env.SHIPSIGNAL_REVIEW_CRON, review, { noOverlap: true, name: 'review' }),
  ];
  void sync();

  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info('shipsignal stopping', { signal });
      const deadline = setTimeout(() => {
        logger.error('shutdown timed out; exiting with work still queued in the outbox', { timeoutMs: env.SHIPSIGNAL_SHUTDOWN_TIMEOUT_MS });
        process.exit(1);
      }, env.SHIPSIGNAL_SHUTDOWN_TIMEOUT_MS);
      deadline.unref();
      for (const task of tasks) void task.stop();
      server.close();
      app.close().then(() => {
        logger.info('shipsignal stopped');
        resolve();
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}
