import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { MfaSubjects, ResetMfaRequest, TotpCodeRequest, type Actor, type RecoveryCodesReply, type ResetMfaReply } from '#contracts';
import { RegenerateRecoveryCodesUseCase, RemoveMfaUseCase, ResetMfaUseCase } from './manage-factors.use-case.js';

@Controller()
export class FactorsHandler {
  constructor(
    private readonly removeMfa: RemoveMfaUseCase,
    private readonly regenerate: RegenerateRecoveryCodesUseCase,
    private readonly resetMfa: ResetMfaUseCase,
  ) {}

  @MessagePattern(MfaSubjects.remove.name)
  remove(@Payload() request: TotpCodeRequest): Promise<{ removed: true }> {
    return this.removeMfa.execute(request.userId, request.code);
  }

  @MessagePattern(MfaSubjects.regenerateRecoveryCodes.name)
  regenerateRecoveryCodes(@Payload() request: TotpCodeRequest): Promise<RecoveryCodesReply> {
    return this.regenerate.execute(request.userId, request.code);
  }

  @MessagePattern(MfaSubjects.reset.name)
  reset(@Payload() request: ResetMfaRequest): Promise<ResetMfaReply> {
    return this.resetMfa.execute(request.userId, request.actor as Actor);
  }
}
