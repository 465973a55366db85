import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { AccountsSubjects, ListAuditEventsRequest, type AuditEventView, type Page } from '#contracts';
import { AuditLogUseCase } from './audit-log.use-case.js';

@Controller()
export class AuditHandler {
  constructor(private readonly auditLog: AuditLogUseCase) {}

  @MessagePattern(AccountsSubjects.listAuditEvents.name)
  list(@Payload() request: ListAuditEventsRequest): Promise<Page<AuditEventView>> {
    return this.auditLog.list(request);
  }
}
