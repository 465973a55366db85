import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  AccountsSubjects,
  GetPolicyRequest,
  GetSecuritySettingsRequest,
  UpdateSecuritySettingsRequest,
  type SecurityPolicyView,
  type SecuritySettingsView,
} from '#contracts';
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

  @MessagePattern(AccountsSubjects.getSecuritySettings.name)
  get(@Payload() request: GetSecuritySettingsRequest): Promise<SecuritySettingsView> {
    return this.settings.get(request);
  }

  @MessagePattern(AccountsSubjects.updateSecuritySettings.name)
  update(@Payload() request: UpdateSecuritySettingsRequest): Promise<SecuritySettingsView> {
    return this.settings.update(request);
  }
}
