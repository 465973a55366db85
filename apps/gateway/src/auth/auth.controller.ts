import { Body, Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RpcClient } from '#common';
import { AuthSubjects, type LoginReply } from '#contracts';
import { LoginBody, LoginResponse } from './auth.dto.js';
import { CurrentPrincipal, type AuthenticatedRequest, type Principal } from './principal.js';
import { SessionCache } from './session-cache.js';
import { SessionGuard } from './session.guard.js';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly sessions: SessionCache,
  ) {}

  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign in with username and password' })
  @ApiOkResponse({ type: LoginResponse })
  login(@Body() body: LoginBody, @Req() request: AuthenticatedRequest): Promise<LoginReply> {
    return this.rpc.request(AuthSubjects.login, { username: body.username, password: body.password, ip: request.clientIp });
  }

  @Post('logout')
  @HttpCode(204)
  @UseGuards(SessionGuard)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'End the current session; its tokens stop working at once' })
  async logout(@CurrentPrincipal() principal: Principal): Promise<void> {
    await this.rpc.request(AuthSubjects.logout, { sessionId: principal.sessionId });
    this.sessions.forget(principal.sessionId);
  }
}
