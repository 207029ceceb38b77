import pino from 'pino';
import { redactSecrets, stdoutSink } from '@switchyard/core';
import { loadConfig } from './config.ts';
import { startServer } from './server.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = pino({ level: config.logLevel, formatters: { log: redactSecrets }, base: { app: 'switchyard-api' } }, stdoutSink());
  const server = await startServer(config, logger);
  logger.info({ url: server.url, dataDir: config.dataDir }, 'switchyard api listening');

  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.error('shutdown deadline passed; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    force.unref();
    await server.stop();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`switchyard api failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
