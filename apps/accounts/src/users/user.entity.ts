import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import type { Role } from '#contracts';

export type UserStatus = 'pending' | 'active';

/**
 * Membership of a user in an account. A user is `pending` while their credential is being created in the
 * auth service, and only `active` users exist for anybody else: a creation that fails halfway never shows.
 */
@Entity({ name: 'users' })
@Index('users_account_username_idx', ['accountId', 'username'])
export class UserEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'account_id' })
  accountId!: string;

  /** NFC-normalised; unique across the deployment. */
  @Column('text', { unique: true })
  username!: string;

  @Column('text')
  email!: string;

  @Column('text')
  role!: Role;

  @Column('text')
  status!: UserStatus;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
