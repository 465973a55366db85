import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, type Repository } from 'typeorm';
import { SessionEntity } from './session.entity.js';

@Injectable()
export class SessionRepository {
  constructor(@InjectRepository(SessionEntity) private readonly repo: Repository<SessionEntity>) {}

  async create(session: Omit<SessionEntity, 'createdAt' | 'revokedAt'>): Promise<void> {
    await this.repo.insert(session);
  }

  /**
   * Spends a live challenge and creates the session it grants, in one statement: the session row exists
   * only if this call spent the challenge (true for exactly one caller, and only while it is live).
   */
  async createSpendingChallenge(challengeId: string, session: Omit<SessionEntity, 'createdAt' | 'revokedAt'>): Promise<boolean> {
    const rows: unknown = await this.repo.query(
      `WITH spent AS (
         UPDATE auth.challenges SET spent_at = now()
          WHERE id = $1 AND spent_at IS NULL AND dead = false AND expires_at > now()
          RETURNING id
       )
       INSERT INTO auth.sessions (id, user_id, account_id, amr, ip, expires_at)
       SELECT $2, $3, $4, $5::text[], $6, $7 FROM spent
       RETURNING id`,
      [challengeId, session.id, session.userId, session.accountId, session.amr, session.ip, session.expiresAt],
    );
    return Array.isArray(rows) && rows.length === 1;
  }

  /** The session if it is neither revoked nor expired. */
  findActive(id: string): Promise<SessionEntity | null> {
    return this.repo
      .createQueryBuilder('s')
      .where('s.id = :id AND s.revoked_at IS NULL AND s.expires_at > now()', { id })
      .getOne();
  }

  /** Revokes one session; returns it if it was active. */
  async revoke(id: string): Promise<SessionEntity | null> {
    const result = await this.repo
      .createQueryBuilder()
      .update()
      .set({ revokedAt: () => 'now()' })
      .where('id = :id AND revoked_at IS NULL', { id })
      .returning('*')
      .execute();
    const row = (result.raw as Array<Record<string, unknown>>)[0];
    return row ? this.repo.create({ id: row.id as string, userId: row.user_id as string, accountId: row.account_id as string }) : null;
  }

  /** Revokes every active session of a user; answers how many there were. */
  async revokeAllOfUser(userId: string): Promise<number> {
    const result = await this.repo.update({ userId, revokedAt: IsNull() }, { revokedAt: () => 'now()' });
    return result.affected ?? 0;
  }
}
