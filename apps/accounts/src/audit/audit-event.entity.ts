import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One security event in an account's audit log. Append-only. */
@Entity({ name: 'audit_events' })
export class AuditEventEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  /** The JetStream stream (name@creation time) and sequence of the event it was built from; null for accounts' own facts. */
  @Column('text', { name: 'source_stream', nullable: true })
  sourceStream!: string | null;

  @Column('bigint', { name: 'source_seq', nullable: true })
  sourceSeq!: string | null;

  /** Null when the event names no known user (a failed sign-in with an unknown username). */
  @Column('uuid', { name: 'account_id', nullable: true })
  accountId!: string | null;

  @Column('text')
  type!: string;

  @Column('text', { name: 'actor_type', nullable: true })
  actorType!: string | null;

  @Column('text', { name: 'actor_id', nullable: true })
  actorId!: string | null;

  @Column('uuid', { name: 'target_user_id', nullable: true })
  targetUserId!: string | null;

  @Column('text', { nullable: true })
  ip!: string | null;

  @Column('timestamptz', { name: 'occurred_at' })
  occurredAt!: Date;

  @Column('jsonb')
  details!: Record<string, unknown>;

  @Column('timestamptz', { name: 'recorded_at' })
  recordedAt!: Date;
}
