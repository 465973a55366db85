import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { RpcClient } from '#common';
import { AccountsSubjects, type AccountView, type ManagedUserView, type UserView } from '#contracts';
import { CreateAccountBody, AccountResponse, CreateUserBody, UserResponse } from '../accounts/accounts.dto.js';
import { ManagedUserResponse, SupportResetBody } from '../accounts/policy.dto.js';
import { CurrentSupport, type SupportCaller } from '../auth/principal.js';
import { ApiIdempotencyKey, IdempotencyKey } from '../http/idempotency-key.js';
import { UuidParam } from '../http/params.js';
import { SupportKeyGuard } from './support-key.guard.js';

/** Deployment-wide operations for support tooling, authenticated by a support API key. */
@ApiTags('support')
@ApiSecurity('supportKey')
@UseGuards(SupportKeyGuard)
@Controller('support')
export class SupportController {
  constructor(private readonly rpc: RpcClient) {}

  @Post('accounts')
  @ApiOperation({ summary: 'Provision an account' })
  @ApiCreatedResponse({ type: AccountResponse })
  @ApiIdempotencyKey()
  createAccount(@Body() body: CreateAccountBody, @CurrentSupport() support: SupportCaller, @IdempotencyKey() idempotencyKey?: string): Promise<AccountView> {
    return this.rpc.request(AccountsSubjects.createAccount, { name: body.name, actor: { type: 'support', keyId: support.keyId }, idempotencyKey });
  }

  @Post('accounts/:accountId/users')
  @ApiOperation({ summary: 'Create a user (holder or user) in any account' })
  @ApiCreatedResponse({ type: UserResponse })
  @ApiIdempotencyKey()
  createUser(
    @UuidParam('accountId') accountId: string,
    @Body() body: CreateUserBody,
    @CurrentSupport() support: SupportCaller,
    @IdempotencyKey() idempotencyKey?: string,
  ): Promise<UserView> {
    return this.rpc.request(AccountsSubjects.createUser, { ...body, accountId, actor: { type: 'support', keyId: support.keyId }, idempotencyKey });
  }

  @Post('users/:userId/mfa/reset')
  @HttpCode(200)
  @ApiOperation({
    summary: "Reset any user's MFA (a holder who lost their device, too)",
    description: 'Removes every factor and recovery code and ends every session. Idempotent; audited with the key id and the reason.',
  })
  @ApiOkResponse({ type: ManagedUserResponse })
  resetMfa(@UuidParam('userId') userId: string, @Body() body: SupportResetBody, @CurrentSupport() support: SupportCaller): Promise<ManagedUserView> {
    return this.rpc.request(AccountsSubjects.resetUserMfa, { userId, reason: body.reason, actor: { type: 'support', keyId: support.keyId } });
  }
}
