import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { Repository } from 'typeorm';
import { queryRows } from '../database.js';
import { UserStateEntity } from './user-state.entity.js';

export interface LockoutPolicy {
  /** Consecutive wrong codes that lock the second factor. */
  threshold: number;
  /** First lock; each further lock doubles it, up to `maxLockSeconds`. */
  baseLockSeconds: number;
  maxLockSeconds: number;
}

export interface FailureOutcome {
  /** True for the one failure that locked the user. */
  locked: boolean;
  lockedUntil: Date | null;
  consecutiveFailures: number;
}

/**
 * The lockout reset of a right code, for a data-modifying CTE after one named `claimed` that answers the
 * user's `user_id` only when the code was accepted; `$4` is now. Same rule as `LockoutRepository.recordSuccess`.
 */
export const RESET_LOCKOUT_SQL = `UPDATE mfa.user_state s SET consecutive_failures = 0, lock_count = 0, updated_at = $4
          FROM claimed c
         WHERE s.user_id = c.user_id AND (s.consecutive_failures > 0 OR s.lock_count > 0) AND (s.locked_until IS NULL OR s.locked_until <= $4)
         RETURNING s.user_id`;

/** Second-factor lockout state per user. Every change is one atomic statement on the user's row. */
@Injectable()
export class LockoutRepository {
  constructor(@InjectRepository(UserStateEntity) private readonly repo: Repository<UserStateEntity>) {}

  /** When the user is locked at `now`, until when. */
  async lockedUntil(userId: string, now: Date): Promise<Date | null> {
    const rows = await queryRows<{ locked_until: Date }>(
      this.repo.manager,
      `SELECT locked_until FROM mfa.user_state WHERE user_id = $1 AND locked_until > $2`,
      [userId, now],
    );
    return rows[0]?.locked_until ?? null;
  }

  /**
   * Counts one wrong code. The failure that reaches the threshold locks the user (15 min, doubling with
   * every lock) and resets the counter; failures arriving while a lock holds change nothing.
   */
  async recordFailure(userId: string, now: Date, policy: LockoutPolicy): Promise<FailureOutcome> {
    const lockId = randomUUID();
    const rows = await queryRows<{ consecutive_failures: number; locked_until: Date | null; lock_id: string | null }>(
      this.repo.manager,
      `INSERT INTO mfa.user_state AS s (user_id, consecutive_failures, lock_count, locked_until, lock_id, updated_at)
       VALUES ($1, CASE WHEN $3::int <= 1 THEN 0 ELSE 1 END, CASE WHEN $3::int <= 1 THEN 1 ELSE 0 END,
               CASE WHEN $3::int <= 1 THEN $2::timestamptz + make_interval(secs => $4::float8) END, CASE WHEN $3::int <= 1 THEN $6::uuid END, $2::timestamptz)
       ON CONFLICT (user_id) DO UPDATE SET
         consecutive_failures = CASE
           WHEN s.locked_until > $2::timestamptz THEN s.consecutive_failures
           WHEN s.consecutive_failures + 1 >= $3::int THEN 0
           ELSE s.consecutive_failures + 1 END,
         lock_count = CASE
           WHEN s.locked_until > $2::timestamptz THEN s.lock_count
           WHEN s.consecutive_failures + 1 >= $3::int THEN s.lock_count + 1
           ELSE s.lock_count END,
         locked_until = CASE
           WHEN s.locked_until > $2::timestamptz THEN s.locked_until
           WHEN s.consecutive_failures + 1 >= $3::int THEN $2::timestamptz + make_interval(secs => LEAST($4::float8 * power(2, LEAST(s.lock_count, 30)), $5::float8))
           ELSE s.locked_until END,
         lock_id = CASE
           WHEN s.locked_until > $2::timestamptz THEN s.lock_id
           WHEN s.consecutive_failures + 1 >= $3::int THEN $6::uuid
           ELSE s.lock_id END,
         updated_at = $2::timestamptz
       RETURNING consecutive_failures, locked_until, lock_id`,
      [userId, now, policy.threshold, policy.baseLockSeconds, policy.maxLockSeconds, lockId],
    );
    const row = rows[0]!;
    return { locked: row.lock_id === lockId, lockedUntil: row.locked_until, consecutiveFailures: row.consecutive_failures };
  }

  /** A right code: the count of wrong ones starts over, and so does the doubling of locks. */
  async recordSuccess(userId: string, now: Date): Promise<void> {
    await this.repo.query(
      `UPDATE mfa.user_state SET consecutive_failures = 0, lock_count = 0, updated_at = $2
        WHERE user_id = $1 AND (consecutive_failures > 0 OR lock_count > 0) AND (locked_until IS NULL OR locked_until <= $2)`,
      [userId, now],
    );
  }

  async clear(userId: string): Promise<void> {
    await this.repo.delete({ userId });
  }
}
