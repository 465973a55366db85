import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Per-user second-factor lockout: consecutive wrong codes, and the current lock (separate from passwords). */
@Entity({ name: 'user_state' })
export class UserStateEntity {
  @PrimaryColumn('uuid', { name: 'user_id' })
  userId!: string;

  @Column('integer', { name: 'consecutive_failures' })
  consecutiveFailures!: number;

  @Column('integer', { name: 'lock_count' })
  lockCount!: number;

  @Column('timestamptz', { name: 'locked_until', nullable: true })
  lockedUntil!: Date | null;

  /** Set by the failure that locked: tells exactly one request "you locked it". */
  @Column('uuid', { name: 'lock_id', nullable: true })
  lockId!: string | null;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;
}
