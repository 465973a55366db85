import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Role } from '#contracts';

/** A sign-in that passed the password but must set MFA up before any session (the account requires it). */
@Entity({ name: 'setup_tokens' })
export class SetupTokenEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text', { name: 'token_hash', unique: true })
  tokenHash!: string;

  @Column('uuid', { name: 'user_id' })
  userId!: string;

  @Column('uuid', { name: 'account_id' })
  accountId!: string;

  @Column('text')
  role!: Role;

  @Column('text', { nullable: true })
  ip!: string | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'expires_at' })
  expiresAt!: Date;

  @Column('timestamptz', { name: 'spent_at', nullable: true })
  spentAt!: Date | null;
}
