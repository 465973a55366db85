import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { AuthSubjects, SendChallengeEmailCodeRequest, VerifyMfaChallengeRequest, type EmailCodeSentReply, type LoginReply } from '#contracts';
import { VerifyChallengeUseCase } from './verify-challenge.use-case.js';

@Controller()
export class ChallengesHandler {
  constructor(private readonly verifyChallenge: VerifyChallengeUseCase) {}

  @MessagePattern(AuthSubjects.verifyMfaChallenge.name)
  verify(@Payload() request: VerifyMfaChallengeRequest): Promise<Extract<LoginReply, { status: 'authenticated' }>> {
    return this.verifyChallenge.execute(request);
  }

  @MessagePattern(AuthSubjects.sendChallengeEmailCode.name)
  sendEmailCode(@Payload() request: SendChallengeEmailCodeRequest): Promise<EmailCodeSentReply> {
    return this.verifyChallenge.sendEmailCode(request);
  }
}
