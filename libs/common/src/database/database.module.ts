import type { DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { dataSourceOptions, migrate, type ServiceDatabaseOptions } from './database.js';

/** The service's TypeORM connection, migrated (under an advisory lock) before anything uses it. */
export function serviceDatabaseModule(database: ServiceDatabaseOptions): DynamicModule {
  return TypeOrmModule.forRootAsync({
    useFactory: () => dataSourceOptions(database),
    dataSourceFactory: async (options) => {
      const dataSource = await new DataSource(options!).initialize();
      await migrate(dataSource, database.schema);
      return dataSource;
    },
  });
}
