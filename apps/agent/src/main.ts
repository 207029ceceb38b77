import { readFileSync } from 'node:fs';
import pino from 'pino';
import { redactSecrets, stdoutSink } from '@switchyard/core';
import { createAgent } from './agent.ts';
import { loadConfig, USAGE } from './config.ts';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env, process.argv.slice(2), (p) => readFileSync(p, 'utf8'));
  } catch (err) {
    process.stderr.write(`switchyard-agent: ${(err as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (config === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  const logger = pino({
    level: config.logLevel,
    base: { app: 'switchyard-agent' },
    formatters: { log: redactSecrets },
  }, stdoutSink());
  const agent = createAgent({ config, logger });
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: killing running turns and shipping what remains');
    agent.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  await agent.start();
}

main().catch((err: unknown) => {
  process.stderr.write(`switchyard-agent failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
