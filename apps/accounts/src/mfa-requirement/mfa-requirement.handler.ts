import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { AccountsSubjects, MfaRequirementRequest, type MfaRequirementReply } from '#contracts';
import { MfaRequirementUseCase } from './mfa-requirement.use-case.js';

@Controller()
export class MfaRequirementHandler {
  constructor(private readonly requirement: MfaRequirementUseCase) {}

  @MessagePattern(AccountsSubjects.mfaRequirement.name)
  get(@Payload() request: MfaRequirementRequest): Promise<MfaRequirementReply> {
    return this.requirement.execute(request.userId);
  }
}
