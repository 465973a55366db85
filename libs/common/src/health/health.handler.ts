import { Controller, type Type } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

/**
 * The NATS handler behind the gateway's readiness probe, for a service with a database:
 * answering at all proves the replica is on NATS; `database` says whether PostgreSQL answers.
 */
export function healthHandlerFor(service: string, subject: string): Type<unknown> {
  @Controller()
  class HealthHandler {
    constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

    @MessagePattern(subject)
    async ping(): Promise<{ service: string; ok: boolean; database: boolean }> {
      const database = await this.dataSource.query('SELECT 1').then(
        () => true,
        () => false,
      );
      return { service, ok: database, database };
    }
  }
  return HealthHandler;
}
