import type { Logger } from '../observability/logger';

/**
 * The graceful stop every long-running command shares (`run`, `worker`): on the first SIGTERM or SIGINT, log it,
 * arm a deadline that exits 1 if closing takes longer than `timeoutMs`, and run `close`; resolves once it is done.
 */
export function untilStopped(logger: Logger, name: string, timeoutMs: number, timeoutMessage: string, close: () => Promise<void>): Promise<void> {
  return new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info(`${name} stopping`, { signal });
      const deadline = setTimeout(() => {
        logger.error(timeoutMessage, { timeoutMs });
        process.exit(1);
      }, timeoutMs);
      deadline.unref();
      close().then(
        () => logger.info(`${name} stopped`),
        (error: unknown) => logger.error(`${name} stopped with an error while closing`, { error }),
      ).finally(resolve);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}
