import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

export type IdempotencyStatus = 'pending' | 'completed';

/**
 * A caller's `Idempotency-Key` for one creation. `pending` while the creation is under way (or died
 * halfway: a retry resumes it), `completed` once `response` holds the answer every retry gets back.
 * Expires 24 h after `createdAt`.
 */
@Entity({ name: 'idempotency_keys' })
export class IdempotencyKeyEntity {
  /** `support:<keyId>`, `user:<userId>` or `system`. */
  @PrimaryColumn('text', { name: 'actor_scope' })
  actorScope!: string;

  @PrimaryColumn('text')
  key!: string;

  /** The subject it was used on (`accounts.users.create`, `accounts.accounts.create`). */
  @Column('text')
  operation!: string;

  /** SHA-256 (hex) of the request without its password (see `request-fingerprint.ts`). */
  @Column('text')
  fingerprint!: string;

  @Column('uuid', { name: 'resource_id' })
  resourceId!: string;

  @Column('text')
  status!: IdempotencyStatus;

  @Column('json', { nullable: true })
  response!: unknown;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
