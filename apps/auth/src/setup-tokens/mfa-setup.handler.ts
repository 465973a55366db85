import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { MfaSetupConfirmRequest, MfaSetupStartRequest, MfaSetupSubjects, type EmailCodeSentReply, type MfaSetupConfirmReply, type TotpSetupStartReply } from '#contracts';
import { MfaSetupUseCase } from './mfa-setup.use-case.js';

@Controller()
export class MfaSetupHandler {
  constructor(private readonly setup: MfaSetupUseCase) {}

  @MessagePattern(MfaSetupSubjects.start.name)
  start(@Payload() request: MfaSetupStartRequest): Promise<TotpSetupStartReply> {
    return this.setup.start(request);
  }

  @MessagePattern(MfaSetupSubjects.confirm.name)
  confirm(@Payload() request: MfaSetupConfirmRequest): Promise<MfaSetupConfirmReply> {
    return this.setup.confirm(request);
  }

  @MessagePattern(MfaSetupSubjects.startEmail.name)
  startEmail(@Payload() request: MfaSetupStartRequest): Promise<EmailCodeSentReply> {
    return this.setup.startEmail(request);
  }

  @MessagePattern(MfaSetupSubjects.confirmEmail.name)
  confirmEmail(@Payload() request: MfaSetupConfirmRequest): Promise<MfaSetupConfirmReply> {
    return this.setup.confirmEmail(request);
  }
}
