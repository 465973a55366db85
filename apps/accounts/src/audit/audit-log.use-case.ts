import { Injectable } from '@nestjs/common';
import type { Actor, AuditEventType, AuditEventView, ListAuditEventsRequest, Page } from '#contracts';
import { AccountAccess } from '../accounts/account-access.js';
import type { AuditEventEntity } from './audit-event.entity.js';
import { AuditEventRepository } from './audit-event.repository.js';

export function toAuditEventView(row: AuditEventEntity): AuditEventView {
  let actor: AuditEventView['actor'] = null;
  if (row.actorType === 'user') actor = { type: 'user', userId: row.actorId ?? undefined };
  else if (row.actorType === 'support') actor = { type: 'support', keyId: row.actorId ?? undefined };
  else if (row.actorType === 'system') actor = { type: 'system' };
  return {
    id: String(row.id),
    type: row.type as AuditEventType,
    actor,
    targetUserId: row.targetUserId,
    ip: row.ip,
    at: row.occurredAt.toISOString(),
    details: row.details,
  };
}

/** Holders read their own account's audit log, newest first. */
@Injectable()
export class AuditLogUseCase {
  constructor(
    private readonly access: AccountAccess,
    private readonly audit: AuditEventRepository,
  ) {}

  async list(request: ListAuditEventsRequest): Promise<Page<AuditEventView>> {
    await this.access.assertCanManage(request.actor as Actor, request.accountId);
    const { rows, total } = await this.audit.pageOfAccount(request.accountId, (request.page - 1) * request.pageSize, request.pageSize);
    return { items: rows.map(toAuditEventView), total, page: request.page, pageSize: request.pageSize };
  }
}
