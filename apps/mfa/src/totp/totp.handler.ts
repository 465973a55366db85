import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { MfaSubjects, StartTotpSetupRequest, TotpCodeRequest, type TotpSetupConfirmReply, type TotpSetupStartReply } from '#contracts';
import { TotpSetupUseCase } from './totp-setup.use-case.js';

@Controller()
export class TotpHandler {
  constructor(private readonly setup: TotpSetupUseCase) {}

  @MessagePattern(MfaSubjects.startTotpSetup.name)
  start(@Payload() request: StartTotpSetupRequest): Promise<TotpSetupStartReply> {
    return this.setup.start(request.userId, request.username);
  }

  @MessagePattern(MfaSubjects.confirmTotpSetup.name)
  confirm(@Payload() request: TotpCodeRequest): Promise<TotpSetupConfirmReply> {
    return this.setup.confirm(request.userId, request.code);
  }
}
