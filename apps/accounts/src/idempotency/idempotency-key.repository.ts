import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import type { DataSource, EntityManager, Repository } from 'typeorm';
import { IdempotencyKeyEntity } from './idempotency-key.entity.js';
import { IDEMPOTENCY_KEY_TTL_MS } from './request-fingerprint.js';

export type NewIdempotencyKey = Pick<IdempotencyKeyEntity, 'actorScope' | 'key' | 'operation' | 'fingerprint' | 'resourceId' | 'status' | 'response'>;

export type Claim = { claimed: true } | { claimed: false; existing: IdempotencyKeyEntity };

@Injectable()
export class IdempotencyKeyRepository {
  constructor(
    @InjectRepository(IdempotencyKeyEntity) private readonly repo: Repository<IdempotencyKeyEntity>,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /**
   * Claims (scope, key) and runs `reserve` (the pending user row, the account) in the same transaction:
   * both commit or neither. When the key is held already, answers that record and reserves nothing; a
   * concurrent twin's insert waits on the primary key until the first commits, so it sees the record too.
   * A key past its 24 h is replaced.
   */
  claim(record: NewIdempotencyKey, reserve: (manager: EntityManager) => Promise<void>): Promise<Claim> {
    return this.dataSource
      .transaction(async (manager): Promise<Claim> => {
        await manager.query(
          `DELETE FROM accounts.idempotency_keys
            WHERE actor_scope = $1 AND key = $2 AND created_at < now() - $3 * interval '1 millisecond'`,
          [record.actorScope, record.key, IDEMPOTENCY_KEY_TTL_MS],
        );
        // Twice at most: a record seen in conflict may be rolled back (deleted) before we read it.
        for (let attempt = 0; attempt < 2; attempt++) {
          const inserted: unknown[] = await manager.query(
            `INSERT INTO accounts.idempotency_keys (actor_scope, key, operation, fingerprint, resource_id, status, response)
             VALUES ($1, $2, $3, $4, $5, $6, $7::json)
             ON CONFLICT (actor_scope, key) DO NOTHING
             RETURNING actor_scope`,
            [record.actorScope, record.key, record.operation, record.fingerprint, record.resourceId, record.status, record.response === null ? null : JSON.stringify(record.response)],
          );
          if (inserted.length > 0) {
            await reserve(manager);
            return { claimed: true };
          }
          const existing = await manager.getRepository(IdempotencyKeyEntity).findOneBy({ actorScope: record.actorScope, key: record.key });
          if (existing) return { claimed: false, existing };
        }
        throw new Error('idempotency key claimed and released twice while claiming it');
      });
  }

  find(actorScope: string, key: string, manager?: EntityManager): Promise<IdempotencyKeyEntity | null> {
    return (manager ? manager.getRepository(IdempotencyKeyEntity) : this.repo).findOneBy({ actorScope, key });
  }

  /** Stores the answer every retry with this key gets from now on. */
  async complete(actorScope: string, key: string, response: unknown, manager?: EntityManager): Promise<void> {
    await (manager ?? this.dataSource.manager).query(
      `UPDATE accounts.idempotency_keys SET status = 'completed', response = $3::json WHERE actor_scope = $1 AND key = $2`,
      [actorScope, key, JSON.stringify(response)],
    );
  }

  /** Forgets the keys of a creation that was rolled back: the same key may then start it afresh. */
  async deletePendingFor(resourceId: string, manager?: EntityManager): Promise<void> {
    await (manager ? manager.getRepository(IdempotencyKeyEntity) : this.repo).delete({ resourceId, status: 'pending' });
  }

  /** Deletes keys created before `before`; answers how many. */
  async deleteCreatedBefore(before: Date): Promise<number> {
    const [, affected]: [unknown, number] = await this.repo.query(`DELETE FROM accounts.idempotency_keys WHERE created_at < $1`, [before]);
    return affected;
  }
}
