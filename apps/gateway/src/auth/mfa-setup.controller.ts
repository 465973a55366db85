import { Body, Controller, createParamDecorator, HttpCode, Post, Req, type ExecutionContext } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { DomainError, RpcClient } from '#common';
import { MfaSetupSubjects, SETUP_TOKEN_PATTERN, type EmailCodeSentReply, type MfaSetupConfirmReply, type TotpSetupStartReply } from '#contracts';
import { EmailCodeSentResponse, TotpCodeBody, TotpSetupResponse } from '../mfa/mfa.dto.js';
import type { AuthenticatedRequest } from './principal.js';

/**
 * The setup token from `Authorization: Bearer tfst_…`. Access tokens are refused here, and setup tokens
 * everywhere else: SessionGuard only takes a JWT, and a setup token is not one.
 */
const SetupToken = createParamDecorator((_data: unknown, ctx: ExecutionContext): string => {
  const header = ctx.switchToHttp().getRequest<AuthenticatedRequest>().headers.authorization;
  const token = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined;
  if (!token || !SETUP_TOKEN_PATTERN.test(token)) {
    throw new DomainError('UNAUTHENTICATED', 'Send the setup token from the sign-in answer: "Authorization: Bearer <setupToken>".');
  }
  return token;
});

class MfaSetupConfirmResponse {
  @ApiProperty({ enum: ['authenticated'] }) status!: string;
  @ApiProperty({ description: 'EdDSA-signed JWT; its `amr` is ["pwd","otp","mfa"].' }) accessToken!: string;
  @ApiProperty() expiresIn!: number;
  @ApiProperty({ enum: ['Bearer'] }) tokenType!: string;
  @ApiProperty({ type: [String], description: 'Ten single-use recovery codes, shown this once.' }) recoveryCodes!: string[];
}

/** Setting MFA up during sign-in, when the account requires it and the user has none yet. */
@ApiTags('auth')
@ApiBearerAuth()
@Controller('auth/mfa/setup')
export class MfaSetupController {
  constructor(private readonly rpc: RpcClient) {}

  @Post('totp')
  @HttpCode(200)
  @ApiOperation({ summary: 'Required setup, step 1 (setup token): a new authenticator secret as QR code, URI and typed key' })
  @ApiOkResponse({ type: TotpSetupResponse })
  start(@SetupToken() setupToken: string, @Req() request: AuthenticatedRequest): Promise<TotpSetupStartReply> {
    return this.rpc.request(MfaSetupSubjects.start, { setupToken, ip: request.clientIp });
  }

  @Post('totp/confirm')
  @HttpCode(200)
  @ApiOperation({ summary: 'Required setup, step 2 (setup token): confirm with a current code; signs you in and answers ten recovery codes' })
  @ApiOkResponse({ type: MfaSetupConfirmResponse })
  confirm(@SetupToken() setupToken: string, @Body() body: TotpCodeBody, @Req() request: AuthenticatedRequest): Promise<MfaSetupConfirmReply> {
    return this.rpc.request(MfaSetupSubjects.confirm, { setupToken, code: body.code, ip: request.clientIp });
  }

  @Post('email')
  @HttpCode(202)
  @ApiOperation({ summary: 'Required setup with email codes, step 1 (setup token): mails a 6-digit code to the address on file' })
  @ApiAcceptedResponse({ type: EmailCodeSentResponse })
  startEmail(@SetupToken() setupToken: string, @Req() request: AuthenticatedRequest): Promise<EmailCodeSentReply> {
    return this.rpc.request(MfaSetupSubjects.startEmail, { setupToken, ip: request.clientIp });
  }

  @Post('email/confirm')
  @HttpCode(200)
  @ApiOperation({ summary: 'Required setup with email codes, step 2 (setup token): confirm with the emailed code; signs you in and answers ten recovery codes' })
  @ApiOkResponse({ type: MfaSetupConfirmResponse })
  confirmEmail(@SetupToken() setupToken: string, @Body() body: TotpCodeBody, @Req() request: AuthenticatedRequest): Promise<MfaSetupConfirmReply> {
    return this.rpc.request(MfaSetupSubjects.confirmEmail, { setupToken, code: body.code, ip: request.clientIp });
  }
}
