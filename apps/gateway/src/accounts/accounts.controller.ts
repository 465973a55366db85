import { Body, Controller, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RpcClient } from '#common';
import { AccountsSubjects, type UserView } from '#contracts';
import { CurrentPrincipal, type Principal } from '../auth/principal.js';
import { SessionGuard } from '../auth/session.guard.js';
import { ApiIdempotencyKey, IdempotencyKey } from '../http/idempotency-key.js';
import { UuidParam } from '../http/params.js';
import { CreateUserBody, UserResponse } from './accounts.dto.js';

/** What account holders do for their own account. The accounts service checks the role, not us. */
@ApiTags('accounts')
@ApiBearerAuth()
@UseGuards(SessionGuard)
@Controller('accounts/:accountId')
export class AccountsController {
  constructor(private readonly rpc: RpcClient) {}

  @Post('users')
  @ApiOperation({ summary: 'Create a user in your account (holders)' })
  @ApiCreatedResponse({ type: UserResponse })
  @ApiIdempotencyKey()
  createUser(
    @UuidParam('accountId') accountId: string,
    @Body() body: CreateUserBody,
    @CurrentPrincipal() principal: Principal,
    @IdempotencyKey() idempotencyKey?: string,
  ): Promise<UserView> {
    return this.rpc.request(AccountsSubjects.createUser, { ...body, accountId, actor: { type: 'user', userId: principal.userId }, idempotencyKey });
  }
}
