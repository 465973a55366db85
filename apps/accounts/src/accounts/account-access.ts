import { Injectable } from '@nestjs/common';
import { DomainError } from '#common';
import type { Actor } from '#contracts';
import { UserRepository } from '../users/user.repository.js';
import { AccountRepository } from './account.repository.js';

/**
 * Who may manage an account: support, and that account's own holders (role read from the database, not
 * from the token). Another account's ids answer exactly as if they did not exist.
 */
@Injectable()
export class AccountAccess {
  constructor(
    private readonly accounts: AccountRepository,
    private readonly users: UserRepository,
  ) {}

  async assertCanManage(actor: Actor, accountId: string): Promise<void> {
    const notFound = new DomainError('ACCOUNT_NOT_FOUND', 'No such account.');
    if (actor.type === 'user') {
      const member = await this.users.findActive(actor.userId);
      if (!member || member.accountId !== accountId) throw notFound;
      if (member.role !== 'holder') throw new DomainError('FORBIDDEN', 'Only account holders can do this.');
      return;
    }
    if (!(await this.accounts.findById(accountId))) throw notFound;
  }
}
