import { Body, Controller, Delete, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RpcClient } from '#common';
import { AccountsSubjects, MfaSubjects, type EmailCodeSentReply, type RecoveryCodesReply, type TotpSetupConfirmReply, type TotpSetupStartReply } from '#contracts';
import { CurrentPrincipal, type Principal } from '../auth/principal.js';
import { SessionGuard } from '../auth/session.guard.js';
import { PolicyCache } from '../policy/policy-cache.js';
import { EmailCodeSentResponse, MfaStatusResponse, RecoveryCodesResponse, TotpCodeBody, TotpSetupResponse } from './mfa.dto.js';

/** The signed-in user's own second factor. Every rule lives in the mfa service. */
@ApiTags('mfa')
@ApiBearerAuth()
@UseGuards(SessionGuard)
@Controller('me/mfa')
export class MeMfaController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly policies: PolicyCache,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Whether you have MFA, with which methods, and how many recovery codes are left' })
  @ApiOkResponse({ type: MfaStatusResponse })
  async status(@CurrentPrincipal() principal: Principal): Promise<MfaStatusResponse> {
    const [status, policy] = await Promise.all([
      this.rpc.request(MfaSubjects.getStatus, { userId: principal.userId }),
      this.policies.policyOf(principal.accountId),
    ]);
    return {
      enabled: status.enrolled,
      methods: status.methods,
      recoveryCodesRemaining: status.recoveryCodesRemaining,
      requiredByAccount: policy.mfaRequired,
      emailCodesAllowed: policy.allowEmailCodes,
    };
  }

  @Post('totp')
  @HttpCode(200)
  @ApiOperation({ summary: 'Start setting up an authenticator app: a new secret as QR code, URI and typed key' })
  @ApiOkResponse({ type: TotpSetupResponse })
  async startTotp(@CurrentPrincipal() principal: Principal): Promise<TotpSetupStartReply> {
    // The label in the app is the username, which only accounts knows.
    const user = await this.rpc.request(AccountsSubjects.getUser, { userId: principal.userId });
    return this.rpc.request(MfaSubjects.startTotpSetup, { userId: principal.userId, username: user.username });
  }

  @Post('totp/confirm')
  @HttpCode(200)
  @ApiOperation({ summary: 'Finish the setup with a current code; answers ten recovery codes, once' })
  @ApiOkResponse({ type: RecoveryCodesResponse })
  confirmTotp(@Body() body: TotpCodeBody, @CurrentPrincipal() principal: Principal): Promise<TotpSetupConfirmReply> {
    return this.rpc.request(MfaSubjects.confirmTotpSetup, { userId: principal.userId, code: body.code });
  }

  @Post('email')
  @HttpCode(202)
  @ApiOperation({ summary: 'Choose email codes: mails a 6-digit code to your address on file (where your account allows email codes)' })
  @ApiAcceptedResponse({ type: EmailCodeSentResponse })
  startEmail(@CurrentPrincipal() principal: Principal): Promise<EmailCodeSentReply> {
    return this.rpc.request(MfaSubjects.startEmailSetup, { userId: principal.userId });
  }

  @Post('email/confirm')
  @HttpCode(200)
  @ApiOperation({ summary: 'Finish choosing email codes with the emailed code; answers ten recovery codes, once' })
  @ApiOkResponse({ type: RecoveryCodesResponse })
  confirmEmail(@Body() body: TotpCodeBody, @CurrentPrincipal() principal: Principal): Promise<TotpSetupConfirmReply> {
    return this.rpc.request(MfaSubjects.confirmEmailSetup, { userId: principal.userId, code: body.code });
  }

  @Post('email/send')
  @HttpCode(202)
  @ApiOperation({ summary: 'Email me a code to confirm removing MFA or renewing recovery codes (users without an authenticator app)' })
  @ApiAcceptedResponse({ type: EmailCodeSentResponse })
  sendEmailCode(@CurrentPrincipal() principal: Principal): Promise<EmailCodeSentReply> {
    return this.rpc.request(MfaSubjects.sendEmailCode, { userId: principal.userId });
  }

  @Delete()
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove your MFA (app, email codes, recovery codes), proven with a current app code (or, without an app, an emailed code)' })
  async remove(@Body() body: TotpCodeBody, @CurrentPrincipal() principal: Principal): Promise<void> {
    await this.rpc.request(MfaSubjects.remove, { userId: principal.userId, code: body.code });
  }

  @Post('recovery-codes')
  @HttpCode(200)
  @ApiOperation({ summary: 'Replace your recovery codes with ten new ones, proven with a current app code (or, without an app, an emailed code)' })
  @ApiOkResponse({ type: RecoveryCodesResponse })
  regenerateRecoveryCodes(@Body() body: TotpCodeBody, @CurrentPrincipal() principal: Principal): Promise<RecoveryCodesReply> {
    return this.rpc.request(MfaSubjects.regenerateRecoveryCodes, { userId: principal.userId, code: body.code });
  }
}
