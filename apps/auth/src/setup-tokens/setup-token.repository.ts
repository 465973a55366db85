import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Repository } from 'typeorm';
import type { Role } from '#contracts';
import { queryRows } from '../database.js';
import { SetupTokenEntity } from './setup-token.entity.js';

export function hashSetupToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

const LIVE = `spent_at IS NULL AND expires_at > now()`;

@Injectable()
export class SetupTokenRepository {
  constructor(@InjectRepository(SetupTokenEntity) private readonly repo: Repository<SetupTokenEntity>) {}

  /** A new token (answered in plaintext this once; only its hash is stored). */
  async issue(owner: { userId: string; accountId: string; role: Role; ip: string | null }, ttlSeconds: number): Promise<string> {
    const token = `tfst_${randomBytes(32).toString('base64url')}`;
    await this.repo.query(
      `INSERT INTO auth.setup_tokens (id, token_hash, user_id, account_id, role, ip, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(secs => $7::float8))`,
      [randomUUID(), hashSetupToken(token), owner.userId, owner.accountId, owner.role, owner.ip, ttlSeconds],
    );
    return token;
  }

  findLive(token: string): Promise<SetupTokenEntity | null> {
    return this.repo.createQueryBuilder('t').where(`t.token_hash = :hash AND t.${LIVE}`, { hash: hashSetupToken(token) }).getOne();
  }

  /** Spends the token: true for exactly one caller, and only while it is live. */
  async spend(id: string): Promise<boolean> {
    const rows = await queryRows(this.repo.manager, `UPDATE auth.setup_tokens SET spent_at = now() WHERE id = $1 AND ${LIVE} RETURNING id`, [id]);
    return rows.length === 1;
  }

  /** Every open token of a user dies (their MFA was reset). */
  async spendAllOfUser(userId: string): Promise<void> {
    await this.repo.query(`UPDATE auth.setup_tokens SET spent_at = now() WHERE user_id = $1 AND spent_at IS NULL`, [userId]);
  }
}
