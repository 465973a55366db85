import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RpcClient } from '#common';
import { AccountsSubjects, type AuditEventView, type Page } from '#contracts';
import { CurrentPrincipal, type Principal } from '../auth/principal.js';
import { SessionGuard } from '../auth/session.guard.js';
import { UuidParam } from '../http/params.js';
import { AuditEventPageResponse, PageQuery } from './policy.dto.js';

@ApiTags('accounts')
@ApiBearerAuth()
@UseGuards(SessionGuard)
@Controller('accounts/:accountId/audit-events')
export class AuditEventsController {
  constructor(private readonly rpc: RpcClient) {}

  @Get()
  @ApiOperation({ summary: "Your account's security events, newest first (holders)" })
  @ApiOkResponse({ type: AuditEventPageResponse })
  list(@UuidParam('accountId') accountId: string, @Query() query: PageQuery, @CurrentPrincipal() principal: Principal): Promise<Page<AuditEventView>> {
    return this.rpc.request(AccountsSubjects.listAuditEvents, {
      accountId,
      page: query.page,
      pageSize: query.pageSize,
      actor: { type: 'user', userId: principal.userId },
    });
  }
}
