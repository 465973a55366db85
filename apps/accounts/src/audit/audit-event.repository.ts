import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { AuditEventEntity } from './audit-event.entity.js';

/** What one audit record says, before it is stored. */
export interface AuditRecord {
  type: string;
  /** When the event names it; otherwise resolved from the target user's membership. */
  accountId?: string | null;
  actorType: 'user' | 'support' | 'system' | null;
  actorId: string | null;
  targetUserId: string | null;
  ip: string | null;
  occurredAt: Date;
  details: Record<string, unknown>;
}

@Injectable()
export class AuditEventRepository {
  constructor(@InjectRepository(AuditEventEntity) private readonly repo: Repository<AuditEventEntity>) {}

  /**
   * Stores the record built from the event at (`sourceStream`, `sourceSeq`), at most once however often
   * it is delivered. `sourceStream` names the stream's incarnation (name and creation time), so a stream
   * that is deleted and recreated, its sequence starting again at 1, cannot collide with older rows.
   * The account comes from the event or, for events that carry only a user id, from that user's
   * membership, in the same statement. Answers whether a row was inserted (false: a redelivery).
   */
  async insertFromEvent(sourceStream: string, sourceSeq: number, record: AuditRecord): Promise<boolean> {
    const rows: unknown[] = await this.repo.query(
      `INSERT INTO accounts.audit_events
         (source_stream, source_seq, account_id, type, actor_type, actor_id, target_user_id, ip, occurred_at, details)
       SELECT $10, $1, COALESCE($2::uuid, (SELECT u.account_id FROM accounts.users u WHERE u.id = $6::uuid)),
              $3, $4, $5, $6::uuid, $7, $8, $9::jsonb
       ON CONFLICT (source_stream, source_seq) DO NOTHING
       RETURNING id`,
      [
        sourceSeq,
        record.accountId ?? null,
        record.type,
        record.actorType,
        record.actorId,
        record.targetUserId,
        record.ip,
        record.occurredAt,
        JSON.stringify(record.details),
        sourceStream,
      ],
    );
    return rows.length > 0;
  }

  /** Stores one of accounts' own facts, inside the caller's transaction when given. */
  async insert(record: AuditRecord & { accountId: string }, manager?: EntityManager): Promise<void> {
    const repo = manager ? manager.getRepository(AuditEventEntity) : this.repo;
    await repo.insert({
      // jsonb: TypeORM's deep-partial type does not fit an open record, the value is stored as is.
      details: record.details as never,
      sourceStream: null,
      sourceSeq: null,
      accountId: record.accountId,
      type: record.type,
      actorType: record.actorType,
      actorId: record.actorId,
      targetUserId: record.targetUserId,
      ip: record.ip,
      occurredAt: record.occurredAt,
    });
  }

  /** One page of an account's log, newest first. */
  async pageOfAccount(accountId: string, skip: number, take: number): Promise<{ rows: AuditEventEntity[]; total: number }> {
    const [rows, total] = await this.repo.findAndCount({
      where: { accountId },
      order: { occurredAt: 'DESC', id: 'DESC' },
      skip,
      take,
    });
    return { rows, total };
  }
}
