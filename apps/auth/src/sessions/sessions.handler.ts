import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { DomainError, EventPublisher } from '#common';
import { AuthEvents, AuthSignals, AuthSubjects, RevokeUserSessionsRequest, SessionRef, type JwksReply, type SessionCheckReply } from '#contracts';
import { SessionRepository } from './session.repository.js';
import { TokenSigner } from './token-signer.js';

@Controller()
export class SessionsHandler {
  constructor(
    private readonly sessions: SessionRepository,
    private readonly signer: TokenSigner,
    private readonly events: EventPublisher,
  ) {}

  @MessagePattern(AuthSubjects.jwks.name)
  jwks(): JwksReply {
    return this.signer.jwks() as JwksReply;
  }

  @MessagePattern(AuthSubjects.checkSession.name)
  async check(@Payload() request: SessionRef): Promise<SessionCheckReply> {
    const session = await this.sessions.findActive(request.sessionId);
    if (!session) throw new DomainError('SESSION_REVOKED', 'This session has ended. Sign in again.');
    return { active: true, userId: session.userId };
  }

  @MessagePattern(AuthSubjects.logout.name)
  async logout(@Payload() request: SessionRef): Promise<{ revoked: boolean }> {
    const session = await this.sessions.revoke(request.sessionId);
    // Gateways cache live sessions for a few seconds: they forget this one before the caller hears "done".
    // Sent even when it was already revoked (a retry after a lost signal repeats it).
    await this.events.signal(AuthSignals.sessionsRevoked, { sessionIds: [request.sessionId] });
    if (session) {
      this.events.publishInBackground(AuthEvents.logout, {
        userId: session.userId,
        accountId: session.accountId,
        sessionId: session.id,
        at: new Date().toISOString(),
      });
    }
    return { revoked: session !== null };
  }

  @MessagePattern(AuthSubjects.revokeUserSessions.name)
  async revokeUser(@Payload() request: RevokeUserSessionsRequest): Promise<{ revoked: number }> {
    const revoked = await this.sessions.revokeAllOfUser(request.userId);
    await this.events.signal(AuthSignals.sessionsRevoked, { userId: request.userId });
    return { revoked };
  }
}
