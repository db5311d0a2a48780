/**
 * `samsa-broker server.properties [--override key=value]…` — Kafka's kafka.Kafka main: read the
 * properties, start a KafkaServer, stop it cleanly on SIGTERM/SIGINT. Bad configuration is one line
 * on stderr and exit code 1 (Kafka prints the ConfigException and exits the same way).
 */
import { readFileSync } from 'node:fs';
import { ConfigException, KafkaConfig, parseBrokerArgs } from './server/config';
import { KafkaServer } from './server/kafka-server';
import { createLogger } from './common/logger';
import { tuneHeapForBroker } from './server/heap-tuning';

function loadConfig(argv: readonly string[]): KafkaConfig {
  const { propertiesFile, overrides } = parseBrokerArgs(argv);
  let text: string;
  try {
    text = readFileSync(propertiesFile, 'utf8');
  } catch (e) {
    throw new ConfigException(`Cannot read ${propertiesFile}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return KafkaConfig.fromText(text, overrides);
}

function fail(message: string): never {
  process.stderr.write(`samsa-broker: ${message.split('\n')[0] ?? message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  tuneHeapForBroker();
  let config: KafkaConfig;
  try {
    config = loadConfig(process.argv.slice(2));
  } catch (e) {
    if (e instanceof ConfigException) {
      if (e.message.startsWith('USAGE')) {
        process.stderr.write(`${e.message}\n`);
        process.exit(1);
      }
      fail(e.message);
    }
    throw e;
  }
  const log = createLogger('Kafka', config.brokerId >= 0 ? { brokerId: config.brokerId } : {});
  for (const key of config.unknownKeys) log.warn(`The configuration '${key}' was supplied but isn't a known config.`);

  const server = new KafkaServer(config);
  let stopping: Promise<void> | undefined;
  const stop = (signal: string): void => {
    if (stopping !== undefined) return;
    log.info({ signal }, 'shutting down');
    stopping = server
      .shutdown()
      .then(() => process.exit(0))
      .catch((e: unknown) => {
        log.error({ err: e }, 'error during shutdown');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  try {
    await server.startup();
  } catch (e) {
    log.fatal({ err: e }, 'Fatal error during KafkaServer startup. Prepare to shutdown');
    await server.shutdown().catch(() => undefined);
    fail(e instanceof Error ? e.message : String(e));
  }
}

main().catch((e: unknown) => {
  fail(e instanceof Error ? (e.stack ?? e.message) : String(e));
});
