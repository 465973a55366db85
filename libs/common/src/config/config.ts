import { z } from 'zod';

/**
 * The one place that reads the environment. Every service describes its settings as a zod schema;
 * `loadConfig` parses them once at boot and stops the process with a readable list of what is wrong,
 * so a misconfigured replica never half-starts.
 */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const csv = z
  .string()
  .optional()
  .transform((value) =>
    (value ?? '')
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part.length > 0),
  );

export const commonSettings = {
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  NATS_URL: z.string().min(1).default('nats://127.0.0.1:4222'),
  /** Prefix of every NATS subject, so several deployments (or test runs) can share one NATS cluster. */
  NATS_SUBJECT_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, "_" and "-" only')
    .default('twofold'),
  RPC_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  /**
   * Back-end services only: serve Prometheus metrics on this port (`GET /metrics`). Unset, no listener.
   * The gateway always serves `/metrics` on its own HTTP port.
   */
  METRICS_PORT: z.coerce.number().int().min(1).max(65_535).optional(),
  METRICS_HOST: z.string().min(1).default('0.0.0.0'),
};

export const databaseSettings = {
  DATABASE_URL: z.string().min(1).default('postgres://postgres@127.0.0.1:5432/twofold'),
  // At least 2: migrations hold one connection for the advisory lock while they run on another.
  DATABASE_POOL_SIZE: z.coerce.number().int().min(2).max(100).default(10),
};

export const schemas = {
  csv,
};

export type Env = Record<string, string | undefined>;

export function loadConfig<T extends z.ZodRawShape>(
  shape: T,
  env: Env = process.env,
): z.infer<z.ZodObject<T>> {
  const result = z.object(shape).safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new ConfigError(problems);
  }
  return result.data;
}

/** Splits `NATS_URL` (comma separated, for a cluster) into the list the NATS client takes. */
export function natsServers(url: string): string[] {
  return url
    .split(',')
    .map((server) => server.trim())
    .filter(Boolean);
}
