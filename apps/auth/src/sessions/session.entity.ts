import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** One signed-in session. Its id is the `sid` of every access token issued for it. */
@Entity({ name: 'sessions' })
@Index('sessions_user_active_idx', ['userId'], { where: 'revoked_at IS NULL' })
export class SessionEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'user_id' })
  userId!: string;

  @Column('uuid', { name: 'account_id' })
  accountId!: string;

  @Column('text', { array: true })
  amr!: string[];

  @Column('text', { nullable: true })
  ip!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'expires_at' })
  expiresAt!: Date;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt!: Date | null;
}
