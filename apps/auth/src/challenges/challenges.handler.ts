import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { AuthSubjects, VerifyMfaChallengeRequest, type LoginReply } from '#contracts';
import { VerifyChallengeUseCase } from './verify-challenge.use-case.js';

@Controller()
export class ChallengesHandler {
  constructor(private readonly verifyChallenge: VerifyChallengeUseCase) {}

  @MessagePattern(AuthSubjects.verifyMfaChallenge.name)
  verify(@Payload() request: VerifyMfaChallengeRequest): Promise<Extract<LoginReply, { status: 'authenticated' }>> {
    return this.verifyChallenge.execute(request);
  }
}
