import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RpcClient } from '#common';
import { AuthSubjects, type EmailCodeSentReply, type LoginReply } from '#contracts';
import type { AuthenticatedRequest } from '../auth/principal.js';
import { AuthenticatedResponse, EmailCodeSentResponse, SendChallengeEmailCodeBody, VerifyMfaBody } from './mfa.dto.js';

@ApiTags('auth')
@Controller('auth/mfa')
export class MfaVerifyController {
  constructor(private readonly rpc: RpcClient) {}

  @Post('verify')
  @HttpCode(200)
  @ApiOperation({ summary: 'Second step of sign-in: answer the challenge with a TOTP code, an emailed code or a recovery code' })
  @ApiOkResponse({ type: AuthenticatedResponse })
  verify(@Body() body: VerifyMfaBody, @Req() request: AuthenticatedRequest): Promise<Extract<LoginReply, { status: 'authenticated' }>> {
    return this.rpc.request(AuthSubjects.verifyMfaChallenge, { challengeId: body.challengeId, method: body.method, code: body.code, ip: request.clientIp });
  }

  @Post('email/send')
  @HttpCode(202)
  @ApiOperation({ summary: 'Email me a code for this sign-in (6 digits, 10 minutes, once; a new one at most every 60 s, 5 per sign-in)' })
  @ApiAcceptedResponse({ type: EmailCodeSentResponse })
  sendEmailCode(@Body() body: SendChallengeEmailCodeBody, @Req() request: AuthenticatedRequest): Promise<EmailCodeSentReply> {
    return this.rpc.request(AuthSubjects.sendChallengeEmailCode, { challengeId: body.challengeId, ip: request.clientIp });
  }
}
