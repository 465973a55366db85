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

  async revokeAllOfUser(userId: string): Promise<number> {
    const result = await this.repo.update({ userId, revokedAt: IsNull() }, { revokedAt: () => 'now()' });
    return result.affected ?? 0;
  }
}
