import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { INestMicroservice } from '@nestjs/common';
import { ConfigError, natsServers } from '../config/config.js';
import { createLogger, NestPinoLogger, type LogLevel } from '../logging/logger.js';
import { startMetricsServer } from '../metrics/metrics-server.js';
import { initMetrics } from '../metrics/registry.js';
import { PrefixedServerNats } from '../nats/prefixed-nats.js';
import { RpcErrorFilter, strictValidationPipe } from '../nats/rpc-server.js';

export interface ServiceBootstrapOptions {
  /** Service name: also its NATS queue group, so N replicas share the requests. */
  name: 'auth' | 'mfa' | 'accounts';
  module: unknown;
  natsUrl: string;
  subjectPrefix: string;
  logLevel: LogLevel;
  /** Serve Prometheus metrics on this port (`GET /metrics`); none when unset. */
  metricsPort?: number;
  metricsHost?: string;
}

/**
 * Starts one service replica: a Nest microservice on NATS (queue group = service name), JSON logs,
 * strict payload validation, one error shape, handler metrics (and a `/metrics` listener when asked for),
 * graceful shutdown on SIGTERM/SIGINT (drains subscriptions).
 */
export async function bootstrapService(options: ServiceBootstrapOptions): Promise<INestMicroservice> {
  const logger = createLogger(options.name, options.logLevel);
  const app = await NestFactory.createMicroservice(options.module as never, {
    strategy: new PrefixedServerNats(options.subjectPrefix, {
      servers: natsServers(options.natsUrl),
      queue: options.name,
      name: `twofold-${options.name}`,
      gracefulShutdown: true,
      gracePeriod: 2_000,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
    }),
    logger: new NestPinoLogger(logger),
    bufferLogs: false,
  });
  app.useGlobalPipes(strictValidationPipe());
  app.useGlobalFilters(new RpcErrorFilter());
  initMetrics(options.name);
  // Request context and handler metrics are set by PrefixedServerNats around each message.
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  await app.listen();
  logger.info({ subjectPrefix: options.subjectPrefix }, `${options.name} service listening on NATS`);
  if (options.metricsPort) {
    const host = options.metricsHost ?? '0.0.0.0';
    await startMetricsServer(options.metricsPort, host);
    logger.info({ metrics: `http://${host}:${options.metricsPort}/metrics` }, 'metrics listening');
  }
  return app;
}

interface BaseServiceConfig {
  NATS_URL: string;
  NATS_SUBJECT_PREFIX: string;
  LOG_LEVEL: LogLevel;
  METRICS_PORT?: number;
  METRICS_HOST?: string;
}

/** A service's `main`: load and check the configuration, start, or exit with a readable reason. */
export async function runService<C extends BaseServiceConfig>(
  name: ServiceBootstrapOptions['name'],
  loadConfig: () => C,
  moduleFor: (config: C) => unknown,
): Promise<void> {
  try {
    const config = loadConfig();
    await bootstrapService({
      name,
      module: moduleFor(config),
      natsUrl: config.NATS_URL,
      subjectPrefix: config.NATS_SUBJECT_PREFIX,
      logLevel: config.LOG_LEVEL,
      metricsPort: config.METRICS_PORT,
      metricsHost: config.METRICS_HOST,
    });
  } catch (err) {
    console.error(`${name}: ${err instanceof Error ? err.message : String(err)}`);
    if (!(err instanceof ConfigError) && err instanceof Error && err.stack) console.error(err.stack);
    process.exit(1);
  }
}
