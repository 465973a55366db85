import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { AuthenticationMethod, Role } from '#contracts';

/** The signed-in user of a request, set by `SessionGuard`. */
export interface Principal {
  userId: string;
  sessionId: string;
  accountId: string;
  role: Role;
  amr: AuthenticationMethod[];
}

/** The support key of a request, set by `SupportKeyGuard`. */
export interface SupportCaller {
  keyId: string;
}

export interface AuthenticatedRequest extends FastifyRequest {
  /** Canonical client address (trusted proxies only), set for every request. */
  clientIp?: string;
  principal?: Principal;
  support?: SupportCaller;
}

export const CurrentPrincipal = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new Error('CurrentPrincipal used on a route without SessionGuard');
  return principal;
});

export const CurrentSupport = createParamDecorator((_data: unknown, ctx: ExecutionContext): SupportCaller => {
  const support = ctx.switchToHttp().getRequest<AuthenticatedRequest>().support;
  if (!support) throw new Error('CurrentSupport used on a route without SupportKeyGuard');
  return support;
});
