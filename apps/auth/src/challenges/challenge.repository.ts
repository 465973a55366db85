import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import type { Role } from '#contracts';
import { queryRows } from '../database.js';
import { ChallengeEntity } from './challenge.entity.js';

/**
 * Every rule of a challenge's life is one atomic statement: open, spend once (with the session it grants:
 * `SessionRepository.createSpendingChallenge`), die.
 */
@Injectable()
export class ChallengeRepository {
  constructor(@InjectRepository(ChallengeEntity) private readonly repo: Repository<ChallengeEntity>) {}

  async create(challenge: { id: string; userId: string; accountId: string; role: Role; ip: string | null; ttlSeconds: number }): Promise<void> {
    await this.repo.query(
      `INSERT INTO auth.challenges (id, user_id, account_id, role, ip, expires_at)
       VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6::float8))`,
      [challenge.id, challenge.userId, challenge.accountId, challenge.role, challenge.ip, challenge.ttlSeconds],
    );
    // Now and then, a sign-in sweeps challenges that ended a day ago (nobody can use them any more).
    if (Math.random() < 0.01) {
      void this.repo.query(`DELETE FROM auth.challenges WHERE expires_at < now() - interval '1 day'`).catch(() => undefined);
    }
  }

  /** The challenge if it can still be answered. */
  findLive(id: string): Promise<ChallengeEntity | null> {
    return this.repo
      .createQueryBuilder('c')
      .where('c.id = :id AND c.spent_at IS NULL AND c.dead = false AND c.expires_at > now()', { id })
      .getOne();
  }

  /** Counts a wrong code; the one that reaches `maxAttempts` kills the challenge. */
  async recordFailure(id: string, maxAttempts: number): Promise<{ failedAttempts: number; dead: boolean } | null> {
    const rows = await queryRows<{ failed_attempts: number; dead: boolean }>(
      this.repo.manager,
      `UPDATE auth.challenges SET failed_attempts = failed_attempts + 1, dead = (failed_attempts + 1 >= $2)
        WHERE id = $1 AND spent_at IS NULL AND dead = false
        RETURNING failed_attempts, dead`,
      [id, maxAttempts],
    );
    const row = rows[0];
    return row ? { failedAttempts: row.failed_attempts, dead: row.dead } : null;
  }

  async kill(id: string): Promise<void> {
    await this.repo.query(`UPDATE auth.challenges SET dead = true WHERE id = $1 AND spent_at IS NULL`, [id]);
  }

  /** Kills every open challenge of a user (their second factor was locked). */
  async killAllOfUser(userId: string): Promise<number> {
    const rows = await queryRows(this.repo.manager, `UPDATE auth.challenges SET dead = true WHERE user_id = $1 AND spent_at IS NULL AND dead = false RETURNING id`, [userId]);
    return rows.length;
  }
}
