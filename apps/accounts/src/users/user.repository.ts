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
   * One page of an account's active users, by username. `username`, when given, is compared with `=`
   * (a full, exact match: `%`, `_` and `\` are plain characters here, never wildcards).
   */
  async pageOfAccount(accountId: string, username: string | undefined, skip: number, take: number): Promise<{ rows: UserEntity[]; total: number }> {
    const [rows, total] = await this.repo.findAndCount({
      where: { accountId, status: 'active', ...(username !== undefined ? { username } : {}) },
      order: { username: 'ASC', id: 'ASC' },
      skip,
      take,
    });
    return { rows, total };
  }

  /** Pending rows older than `before`: creations that died halfway, to be compensated. */
  findStalePending(before: Date, limit: number): Promise<UserEntity[]> {
    return this.repo.find({ where: { status: 'pending', createdAt: LessThan(before) }, take: limit });
  }
}
