import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { DomainError } from '#common';
import {
  AccountsSubjects,
  GetPolicyRequest,
  GetSecuritySettingsRequest,
  GetUserRequest,
  UpdateSecuritySettingsRequest,
  type SecurityPolicyView,
  type SecuritySettingsView,
  type SignInContext,
} from '#contracts';
import { toUserView } from '../users/user.repository.js';
import { SecurityPolicyRepository } from './security-policy.repository.js';
import { SecuritySettingsUseCase, toPolicyView } from './security-settings.use-case.js';

@Controller()
export class PolicyHandler {
  constructor(
    private readonly settings: SecuritySettingsUseCase,
    private readonly policies: SecurityPolicyRepository,
  ) {}

  /** Internal read (gateway cache, other services). An unknown account has the default, open policy. */
  @MessagePattern(AccountsSubjects.getPolicy.name)
  async getPolicy(@Payload() request: GetPolicyRequest): Promise<SecurityPolicyView> {
    return toPolicyView(await this.policies.findByAccount(request.accountId));
  }

  /** For auth's login, after the password: the active user and their account's policy, one query. */
  @MessagePattern(AccountsSubjects.getSignInContext.name)
  async getSignInContext(@Payload() request: GetUserRequest): Promise<SignInContext> {
    const found = await this.policies.findSignInContext(request.userId);
    if (!found) throw new DomainError('USER_NOT_FOUND', 'No such user.');
    return { user: toUserView(found.user), policy: toPolicyView(found.policy) };
  }

  @MessagePattern(AccountsSubjects.getSecuritySettings.name)
  get(@Payload() request: GetSecuritySettingsRequest): Promise<SecuritySettingsView> {
    return this.settings.get(request);
  }

  @MessagePattern(AccountsSubjects.updateSecuritySettings.name)
  update(@Payload() request: UpdateSecuritySettingsRequest): Promise<SecuritySettingsView> {
    return this.settings.update(request);
  }
}
