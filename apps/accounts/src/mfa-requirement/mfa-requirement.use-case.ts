import { Injectable } from '@nestjs/common';
import { DomainError, RpcClient } from '#common';
import { MfaSubjects, type MfaRequirementReply } from '#contracts';
import { SecurityPolicyRepository } from '../policy/security-policy.repository.js';
import { MfaRequirementCache } from './mfa-requirement.cache.js';

/**
 * "Must this user pass MFA, and can they?" for other services, on every request of theirs. Answered from
 * this replica's cache, which the facts that change an answer (policy, factors, recovery codes) clear as
 * they arrive, with a 5-second safety net (see MfaRequirementCache and docs/policy.md). A miss is one
 * indexed query (user joined to the policy) and one mfa call, run in parallel.
 */
@Injectable()
export class MfaRequirementUseCase {
  constructor(
    private readonly policies: SecurityPolicyRepository,
    private readonly rpc: RpcClient,
    private readonly cache: MfaRequirementCache,
  ) {}

  execute(userId: string): Promise<MfaRequirementReply> {
    return this.cache.get(userId, () => this.load(userId));
  }

  private async load(userId: string): Promise<MfaRequirementReply> {
    const [policy, status] = await Promise.all([this.policies.findForUser(userId), this.rpc.request(MfaSubjects.getStatus, { userId })]);
    if (!policy) throw new DomainError('USER_NOT_FOUND', 'No such user.');
    // As at sign-in: email codes count only while the account allows them.
    const methods = status.methods.filter((method) => method !== 'email' || policy.allowEmailCodes);
    const enrolled = status.enrolled && (methods.includes('totp') || methods.includes('email'));
    return { userId, accountId: policy.accountId, required: policy.mfaRequired, enrolled, methods: enrolled ? methods : [] };
  }
}
