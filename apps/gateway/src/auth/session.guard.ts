import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { DomainError, RpcClient } from '#common';
import { AuthSubjects } from '#contracts';
import type { AuthenticatedRequest } from './principal.js';
import { TokenVerifier } from './token-verifier.js';

const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/;

/**
 * Admits a request with a valid access token of a live session. The signature is checked locally; the
 * session is checked with auth on every request, so a logout or an MFA reset takes effect at once.
 */
@Injectable()
export class SessionGuard implements CanActivate {
  constructor(
    private readonly verifier: TokenVerifier,
    private readonly rpc: RpcClient,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? BEARER.exec(header) : null;
    if (!match) throw new DomainError('UNAUTHENTICATED', 'Send an access token: "Authorization: Bearer <token>".');
    const claims = await this.verifier.verify(match[1]!);
    await this.rpc.request(AuthSubjects.checkSession, { sessionId: claims.sid });
    request.principal = { userId: claims.sub, sessionId: claims.sid, accountId: claims.acc, role: claims.role, amr: claims.amr };
    return true;
  }
}
