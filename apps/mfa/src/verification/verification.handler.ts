import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { MfaSubjects, VerifySecondFactorRequest, type VerifySecondFactorReply } from '#contracts';
import { SecondFactorVerifier } from './second-factor.verifier.js';

@Controller()
export class VerificationHandler {
  constructor(private readonly verifier: SecondFactorVerifier) {}

  @MessagePattern(MfaSubjects.verify.name)
  async verify(@Payload() request: VerifySecondFactorRequest): Promise<VerifySecondFactorReply> {
    await this.verifier.verify(request.userId, request.method, request.code, request.challengeId);
    return { verified: true, method: request.method };
  }
}
