import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RpcClient } from '#common';
import { AuthSubjects, type LoginReply } from '#contracts';
import type { AuthenticatedRequest } from '../auth/principal.js';
import { AuthenticatedResponse, VerifyMfaBody } from './mfa.dto.js';

@ApiTags('auth')
@Controller('auth/mfa')
export class MfaVerifyController {
  constructor(private readonly rpc: RpcClient) {}

  @Post('verify')
  @HttpCode(200)
  @ApiOperation({ summary: 'Second step of sign-in: answer the challenge with a TOTP or recovery code' })
  @ApiOkResponse({ type: AuthenticatedResponse })
  verify(@Body() body: VerifyMfaBody, @Req() request: AuthenticatedRequest): Promise<Extract<LoginReply, { status: 'authenticated' }>> {
    return this.rpc.request(AuthSubjects.verifyMfaChallenge, { challengeId: body.challengeId, method: body.method, code: body.code, ip: request.clientIp });
  }
}
