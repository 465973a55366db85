import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Role } from '#contracts';

/** A sign-in waiting for its second factor: who passed the password, until when, how many wrong codes. */
@Entity({ name: 'challenges' })
export class ChallengeEntity {
  @PrimaryColumn('uuid')
  id!: string;

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

  @Column('integer', { name: 'failed_attempts' })
  failedAttempts!: number;

  @Column('timestamptz', { name: 'spent_at', nullable: true })
  spentAt!: Date | null;

  @Column('boolean')
  dead!: boolean;
}
