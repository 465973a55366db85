import { Column, Entity, PrimaryColumn } from 'typeorm';

export type FactorType = 'totp' | 'email';
export type FactorStatus = 'pending' | 'active';

/**
 * A second factor of a user. TOTP: the secret sealed with AES-256-GCM (never stored in clear),
 * `last_used_step` is the replay guard. A pending factor (setup not confirmed) expires.
 */
@Entity({ name: 'factors' })
export class FactorEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'user_id' })
  userId!: string;

  @Column('text')
  type!: FactorType;

  @Column('text')
  status!: FactorStatus;

  @Column('text', { name: 'secret_key_id', nullable: true })
  secretKeyId!: string | null;

  @Column('bytea', { name: 'secret_iv', nullable: true })
  secretIv!: Buffer | null;

  @Column('bytea', { name: 'secret_ciphertext', nullable: true })
  secretCiphertext!: Buffer | null;

  @Column('bytea', { name: 'secret_tag', nullable: true })
  secretTag!: Buffer | null;

  /** bigint comes back from pg as a string. */
  @Column('bigint', { name: 'last_used_step', nullable: true })
  lastUsedStep!: string | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'confirmed_at', nullable: true })
  confirmedAt!: Date | null;

  @Column('timestamptz', { name: 'expires_at', nullable: true })
  expiresAt!: Date | null;
}
