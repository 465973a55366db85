import { Injectable } from '@nestjs/common';
import { DomainError } from '#common';
import type { Actor } from '#contracts';
import type { UserEntity } from '../users/user.entity.js';
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
    if (actor.type === 'user') {
      const member = await this.users.findActive(actor.userId);
      return AccountAccess.assertHolderRole(member && member.accountId === accountId ? member.role : null);
    }
    if (!(await this.accounts.findById(accountId))) throw notFoundError();
  }

  /** The rule for a user actor, given their role in the account (null: not an active member of it). */
  static assertHolderRole(role: UserEntity['role'] | null): void {
    if (role === null) throw notFoundError();
    if (role !== 'holder') throw new DomainError('FORBIDDEN', 'Only account holders can do this.');
  }
}

function notFoundError(): DomainError {
  return new DomainError('ACCOUNT_NOT_FOUND', 'No such account.');
}
