import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RpcClient } from '#common';
import { AccountsSubjects, type UserView } from '#contracts';
import { CurrentPrincipal, type Principal } from '../auth/principal.js';
import { SessionGuard } from '../auth/session.guard.js';

@ApiTags('me')
@ApiBearerAuth()
@UseGuards(SessionGuard)
@Controller('me')
export class MeController {
  constructor(private readonly rpc: RpcClient) {}

  @Get()
  @ApiOperation({ summary: 'The signed-in user' })
  me(@CurrentPrincipal() principal: Principal): Promise<UserView> {
    return this.rpc.request(AccountsSubjects.getUser, { userId: principal.userId });
  }
}
