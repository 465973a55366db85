import { Injectable } from '@nestjs/common';
import { DomainError, RpcClient } from '#common';
import { MfaSubjects, type MfaRequirementReply } from '#contracts';
import { SecurityPolicyRepository } from '../policy/security-policy.repository.js';

/**
 * "Must this user pass MFA, and can they?" for other services, on every request of theirs. One indexed
 * query (user joined to the policy) and one mfa call, run in parallel. Nothing is cached here: the
 * answer must change the moment a holder flips enforcement or a user enrols, and both reads are cheap.
 */
@Injectable()
export class MfaRequirementUseCase {
  constructor(
    private readonly policies: SecurityPolicyRepository,
    private readonly rpc: RpcClient,
  ) {}

  async execute(userId: string): Promise<MfaRequirementReply> {
    const [policy, status] = await Promise.all([this.policies.findForUser(userId), this.rpc.request(MfaSubjects.getStatus, { userId })]);
    if (!policy) throw new DomainError('USER_NOT_FOUND', 'No such user.');
    // As at sign-in: email codes count only while the account allows them.
    const methods = status.methods.filter((method) => method !== 'email' || policy.allowEmailCodes);
    const enrolled = status.enrolled && (methods.includes('totp') || methods.includes('email'));
    return { userId, accountId: policy.accountId, required: policy.mfaRequired, enrolled, methods: enrolled ? methods : [] };
  }
}
