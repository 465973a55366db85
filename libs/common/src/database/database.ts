import { DataSource, type DataSourceOptions, type MixedList, type EntitySchema } from 'typeorm';

export interface ServiceDatabaseOptions {
  url: string;
  /** The service's own PostgreSQL schema; nobody else reads it. */
  schema: string;
  entities: MixedList<Function | string | EntitySchema>;
  migrations: MixedList<Function | string>;
  poolSize?: number;
}

export function dataSourceOptions(options: ServiceDatabaseOptions): DataSourceOptions {
  return {
    type: 'postgres',
    url: options.url,
    schema: options.schema,
    entities: options.entities,
    migrations: options.migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    extra: {
      max: options.poolSize ?? 10,
      // Fail a request quickly while PostgreSQL is down instead of queueing it forever.
      connectionTimeoutMillis: 5_000,
      application_name: `twofold-${options.schema}`,
    },
  };
}

/**
 * Brings the service's schema up to date. Replicas start together, so the run is serialised with a
 * PostgreSQL advisory lock; the schema is created first because TypeORM keeps its migrations table in it.
 */
export async function migrate(dataSource: DataSource, schema: string): Promise<void> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', [`twofold:migrate:${schema}`]);
    await runner.query(`CREATE SCHEMA IF NOT EXISTS "${schema.replace(/"/g, '""')}"`);
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [`twofold:migrate:${schema}`]).catch(() => undefined);
    await runner.release();
  }
}

export async function openDatabase(options: ServiceDatabaseOptions): Promise<DataSource> {
  const dataSource = new DataSource(dataSourceOptions(options));
  await dataSource.initialize();
  await migrate(dataSource, options.schema);
  return dataSource;
}

/** True for PostgreSQL's unique-violation, so a use case can turn a race into a clean 409. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const driverError = (err as { driverError?: { code?: string; constraint?: string } })?.driverError ?? (err as { code?: string; constraint?: string });
  return driverError?.code === '23505' && (!constraint || driverError.constraint === constraint);
}
