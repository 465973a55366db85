import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { queryRows } from '../database.js';
import { RESET_LOCKOUT_SQL } from '../verification/lockout.repository.js';
import { RecoveryCodeEntity } from './recovery-code.entity.js';

@Injectable()
export class RecoveryCodeRepository {
  constructor(@InjectRepository(RecoveryCodeEntity) private readonly repo: Repository<RecoveryCodeEntity>) {}

  /** Spends a code: true for exactly one caller, however many present it at once. */
  async consume(userId: string, codeHash: string, now: Date): Promise<boolean> {
    const rows = await queryRows(
      this.repo.manager,
      `UPDATE mfa.recovery_codes SET used_at = $3
        WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL
        RETURNING code_hash`,
      [userId, codeHash, now],
    );
    return rows.length === 1;
  }

  /** `consume`, and when the code is spent, the lockout reset of a right code in the same statement. */
  async consumeAndResetLockout(userId: string, codeHash: string, now: Date): Promise<boolean> {
    const rows = await queryRows<{ n: number }>(
      this.repo.manager,
      `WITH claimed AS (
         UPDATE mfa.recovery_codes SET used_at = $3
          WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL
          RETURNING user_id
       ), reset AS (
         ${RESET_LOCKOUT_SQL}
       )
       SELECT count(*)::int AS n FROM claimed`,
      [userId, codeHash, now, now],
    );
    return rows[0]!.n === 1;
  }

  async countRemaining(userId: string): Promise<number> {
    return (await this.countRemainingOf([userId])).get(userId) ?? 0;
  }

  async countRemainingOf(userIds: string[]): Promise<Map<string, number>> {
    if (userIds.length === 0) return new Map();
    const rows = await queryRows<{ user_id: string; n: number }>(
      this.repo.manager,
      `SELECT user_id, count(*)::int AS n FROM mfa.recovery_codes WHERE user_id = ANY($1::uuid[]) AND used_at IS NULL GROUP BY user_id`,
      [userIds],
    );
    return new Map(rows.map((r) => [r.user_id, r.n]));
  }

  /**
   * Replaces the user's whole set, all or nothing (inside the caller's transaction when given one). A
   * per-user transaction lock serialises two replacements, so a user never ends up with both new sets.
   */
  async replace(userId: string, codeHashes: string[], now: Date, manager?: EntityManager): Promise<void> {
    const run = async (tx: EntityManager) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`twofold:mfa:recovery-codes:${userId}`]);
      await tx.query(`DELETE FROM mfa.recovery_codes WHERE user_id = $1`, [userId]);
      if (codeHashes.length === 0) return;
      await tx.query(`INSERT INTO mfa.recovery_codes (user_id, code_hash, created_at) SELECT $1, unnest($2::text[]), $3`, [userId, codeHashes, now]);
    };
    await (manager ? run(manager) : this.repo.manager.transaction(run));
  }

  async deleteAll(userId: string, manager: EntityManager = this.repo.manager): Promise<number> {
    const rows = await queryRows(manager, `DELETE FROM mfa.recovery_codes WHERE user_id = $1 RETURNING code_hash`, [userId]);
    return rows.length;
  }
}
