import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { DomainError } from '#common';
import { PolicyCache } from '../policy/policy-cache.js';
import type { AuthenticatedRequest } from './principal.js';
import { SessionCache } from './session-cache.js';
import { TokenVerifier } from './token-verifier.js';

const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/;

/**
 * Admits a request with a valid access token of a live session, from an address the user's account
 * allows. The signature is checked locally; the session through the gateway's `SessionCache` (auth
 * signals every revocation to every gateway before it answers the request that caused it, so a logout
 * or an MFA reset takes effect at once, while a burst of requests with one token costs one check); the
 * IP safelist comes from the gateway's policy cache, and the client address is the one Fastify
 * resolved through trusted proxies only.
 */
@Injectable()
export class SessionGuard implements CanActivate {
  constructor(
    private readonly verifier: TokenVerifier,
    private readonly sessions: SessionCache,
    private readonly policies: PolicyCache,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? BEARER.exec(header) : null;
    if (!match) throw new DomainError('UNAUTHENTICATED', 'Send an access token: "Authorization: Bearer <token>".');
    const claims = await this.verifier.verify(match[1]!);
    const [, safelist] = await Promise.all([
      this.sessions.assertLive(claims.sid, claims.exp * 1000),
      this.policies.safelistOf(claims.acc),
    ]);
    if (!safelist.allows(request.clientIp)) {
      throw new DomainError('IP_NOT_ALLOWED', `Your account does not allow access from ${request.clientIp ?? 'an unknown address'}.`);
    }
    request.principal = { userId: claims.sub, sessionId: claims.sid, accountId: claims.acc, role: claims.role, amr: claims.amr };
    return true;
  }
}
