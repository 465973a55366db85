import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, type Repository } from 'typeorm';
import { DomainError, isUniqueViolation } from '#common';
import type { UserView } from '#contracts';
import { UserEntity } from './user.entity.js';

export function toUserView(user: UserEntity): UserView {
  return { id: user.id, username: user.username, email: user.email, role: user.role, accountId: user.accountId };
}

@Injectable()
export class UserRepository {
  constructor(@InjectRepository(UserEntity) private readonly repo: Repository<UserEntity>) {}

  /** Reserves the username with a `pending` row; a taken name is a clean conflict, even when raced. */
  async insertPending(user: Pick<UserEntity, 'id' | 'accountId' | 'username' | 'email' | 'role'>): Promise<void> {
    try {
      await this.repo.insert({ ...user, status: 'pending' });
    } catch (err) {
      if (isUniqueViolation(err)) throw new DomainError('USERNAME_TAKEN', 'That username is already taken.');
      throw err;
    }
  }

  async activate(id: string): Promise<UserEntity> {
    await this.repo.update({ id, status: 'pending' }, { status: 'active' });
    return this.repo.findOneByOrFail({ id, status: 'active' });
  }

  async deletePending(id: string): Promise<void> {
    await this.repo.delete({ id, status: 'pending' });
  }

  findActive(id: string): Promise<UserEntity | null> {
    return this.repo.findOneBy({ id, status: 'active' });
  }

  /**
   * One page of an account's active users, by username in code-point order (`COLLATE "C"`: the same
   * order on every deployment, whatever the database's locale). `username`, when given, is compared
   * with `=`: a full, exact match, where `%`, `_` and `\` are plain characters, never wildcards.
   */
  async pageOfAccount(accountId: string, username: string | undefined, skip: number, take: number): Promise<{ rows: UserEntity[]; total: number }> {
    const where = `account_id = $1 AND status = 'active' AND ($2::text IS NULL OR username = $2)`;
    const [rows, counted] = await Promise.all([
      this.repo.query(
        `SELECT id, account_id, username, email, role, status, created_at FROM accounts.users
          WHERE ${where} ORDER BY username COLLATE "C", id LIMIT $3 OFFSET $4`,
        [accountId, username ?? null, take, skip],
      ) as Promise<Array<Record<string, unknown>>>,
      this.repo.query(`SELECT count(*)::int AS total FROM accounts.users WHERE ${where}`, [accountId, username ?? null]) as Promise<Array<{ total: number }>>,
    ]);
    const users = rows.map((row) =>
      this.repo.create({
        id: row.id as string,
        accountId: row.account_id as string,
        username: row.username as string,
        email: row.email as string,
        role: row.role as UserEntity['role'],
        status: row.status as UserEntity['status'],
        createdAt: row.created_at as Date,
      }),
    );
    return { rows: users, total: counted[0]?.total ?? 0 };
  }

  /** Pending rows older than `before`: creations that died halfway, to be compensated. */
  findStalePending(before: Date, limit: number): Promise<UserEntity[]> {
    return this.repo.find({ where: { status: 'pending', createdAt: LessThan(before) }, take: limit });
  }
}
