import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { MfaSubjects, MfaUserRef, SendEmailCodeRequest, TotpCodeRequest, type EmailCodeSentReply, type TotpSetupConfirmReply } from '#contracts';
import { EmailSetupUseCase, SendEmailCodeUseCase } from './email-codes.use-case.js';

@Controller()
export class EmailHandler {
  constructor(
    private readonly setup: EmailSetupUseCase,
    private readonly sendCode: SendEmailCodeUseCase,
  ) {}

  @MessagePattern(MfaSubjects.startEmailSetup.name)
  start(@Payload() request: MfaUserRef): Promise<EmailCodeSentReply> {
    return this.setup.start(request.userId);
  }

  @MessagePattern(MfaSubjects.confirmEmailSetup.name)
  confirm(@Payload() request: TotpCodeRequest): Promise<TotpSetupConfirmReply> {
    return this.setup.confirm(request.userId, request.code);
  }

  @MessagePattern(MfaSubjects.sendEmailCode.name)
  send(@Payload() request: SendEmailCodeRequest): Promise<EmailCodeSentReply> {
    return this.sendCode.execute(request.userId, request.challengeId);
  }
}
