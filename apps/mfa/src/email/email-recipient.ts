import { Injectable } from '@nestjs/common';
import { DomainError, RpcClient } from '#common';
import { AccountsSubjects, type UserView } from '#contracts';

/**
 * Accounts owns the address and the policy: each use of email codes asks for both, so a changed
 * address or a holder turning email codes off takes effect at once.
 */
@Injectable()
export class EmailRecipient {
  constructor(private readonly rpc: RpcClient) {}

  /** The user, when their account allows email codes; MFA_METHOD_NOT_ALLOWED otherwise. */
  async allowed(userId: string): Promise<UserView> {
    const user = await this.rpc.request(AccountsSubjects.getUser, { userId });
    const policy = await this.rpc.request(AccountsSubjects.getPolicy, { accountId: user.accountId });
    if (!policy.allowEmailCodes) {
      throw new DomainError('MFA_METHOD_NOT_ALLOWED', 'Your account does not allow email codes. Use an authenticator app or a recovery code.');
    }
    return user;
  }
}
