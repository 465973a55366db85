import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { MfaStatusBatchRequest, MfaSubjects, MfaUserRef, type MfaStatus, type MfaStatusBatchReply } from '#contracts';
import { MfaStatusUseCase } from './mfa-status.use-case.js';

@Controller()
export class StatusHandler {
  constructor(private readonly status: MfaStatusUseCase) {}

  @MessagePattern(MfaSubjects.getStatus.name)
  get(@Payload() request: MfaUserRef): Promise<MfaStatus> {
    return this.status.one(request.userId);
  }

  @MessagePattern(MfaSubjects.getStatusBatch.name)
  async batch(@Payload() request: MfaStatusBatchRequest): Promise<MfaStatusBatchReply> {
    return { statuses: await this.status.many(request.userIds) };
  }
}
