import { Body, Controller, Get, Put, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RpcClient } from '#common';
import { AccountsSubjects } from '#contracts';
import { CurrentPrincipal, type AuthenticatedRequest, type Principal } from '../auth/principal.js';
import { SessionGuard } from '../auth/session.guard.js';
import { UuidParam } from '../http/params.js';
import { SecuritySettingsBody, SecuritySettingsResponse } from './policy.dto.js';

@ApiTags('accounts')
@ApiBearerAuth()
@UseGuards(SessionGuard)
@Controller('accounts/:accountId/security-settings')
export class SecuritySettingsController {
  constructor(private readonly rpc: RpcClient) {}

  @Get()
  @ApiOperation({ summary: "Your account's security settings: MFA enforcement, email codes, IP safelist (holders)" })
  @ApiOkResponse({ type: SecuritySettingsResponse })
  async get(
    @UuidParam('accountId') accountId: string,
    @CurrentPrincipal() principal: Principal,
    @Req() request: AuthenticatedRequest,
  ): Promise<SecuritySettingsResponse> {
    const settings = await this.rpc.request(AccountsSubjects.getSecuritySettings, { accountId, actor: { type: 'user', userId: principal.userId } });
    return { ...settings, currentIp: request.clientIp ?? null };
  }

  @Put()
  @ApiOperation({
    summary: 'Replace the security settings (holders)',
    description: 'Invalid safelist entries are all named in a 400; a safelist that excludes your current address is a 409 SAFELIST_LOCKS_OUT_ACTOR.',
  })
  @ApiOkResponse({ type: SecuritySettingsResponse })
  async put(
    @UuidParam('accountId') accountId: string,
    @Body() body: SecuritySettingsBody,
    @CurrentPrincipal() principal: Principal,
    @Req() request: AuthenticatedRequest,
  ): Promise<SecuritySettingsResponse> {
    const settings = await this.rpc.request(AccountsSubjects.updateSecuritySettings, {
      accountId,
      mfaRequired: body.mfaRequired,
      allowEmailCodes: body.allowEmailCodes,
      ipSafelist: body.ipSafelist,
      actor: { type: 'user', userId: principal.userId },
      actorIp: request.clientIp,
    });
    return { ...settings, currentIp: request.clientIp ?? null };
  }
}
