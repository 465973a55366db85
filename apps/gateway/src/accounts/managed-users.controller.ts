import { Controller, Get, HttpCode, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RpcClient } from '#common';
import { AccountsSubjects, type ManagedUserView, type Page } from '#contracts';
import { CurrentPrincipal, type Principal } from '../auth/principal.js';
import { SessionGuard } from '../auth/session.guard.js';
import { UuidParam } from '../http/params.js';
import { ListUsersQuery, ManagedUserPageResponse, ManagedUserResponse } from './policy.dto.js';

/** Holders see their users' MFA status and reset it. Another account's ids answer 404. */
@ApiTags('accounts')
@ApiBearerAuth()
@UseGuards(SessionGuard)
@Controller('accounts/:accountId/users')
export class ManagedUsersController {
  constructor(private readonly rpc: RpcClient) {}

  @Get()
  @ApiOperation({ summary: "Your account's users with their MFA status, by username (holders)" })
  @ApiOkResponse({ type: ManagedUserPageResponse })
  list(@UuidParam('accountId') accountId: string, @Query() query: ListUsersQuery, @CurrentPrincipal() principal: Principal): Promise<Page<ManagedUserView>> {
    return this.rpc.request(AccountsSubjects.listManagedUsers, {
      accountId,
      ...(query.username ? { username: query.username } : {}),
      page: query.page,
      pageSize: query.pageSize,
      actor: { type: 'user', userId: principal.userId },
    });
  }

  @Get(':userId')
  @ApiOperation({ summary: 'One user of your account with their MFA status (holders)' })
  @ApiOkResponse({ type: ManagedUserResponse })
  get(@UuidParam('accountId') accountId: string, @UuidParam('userId') userId: string, @CurrentPrincipal() principal: Principal): Promise<ManagedUserView> {
    return this.rpc.request(AccountsSubjects.getManagedUser, { accountId, userId, actor: { type: 'user', userId: principal.userId } });
  }

  @Post(':userId/mfa/reset')
  @HttpCode(200)
  @ApiOperation({ summary: "Reset a user's MFA: remove every factor and recovery code, end every session (holders)" })
  @ApiOkResponse({ type: ManagedUserResponse })
  reset(@UuidParam('accountId') accountId: string, @UuidParam('userId') userId: string, @CurrentPrincipal() principal: Principal): Promise<ManagedUserView> {
    return this.rpc.request(AccountsSubjects.resetUserMfa, { accountId, userId, actor: { type: 'user', userId: principal.userId } });
  }
}
