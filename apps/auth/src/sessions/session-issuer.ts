import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EventPublisher } from '#common';
import { AuthEvents, type AuthenticationMethod, type LoginReply, type Role } from '#contracts';
import { SessionRepository } from './session.repository.js';
import { TokenSigner } from './token-signer.js';

export interface Principal {
  userId: string;
  accountId: string;
  role: Role;
}

/** The one place a session is born: every path to a token (password only, after MFA, after setup) ends here. */
@Injectable()
export class SessionIssuer {
  constructor(
    private readonly sessions: SessionRepository,
    private readonly signer: TokenSigner,
    private readonly events: EventPublisher,
  ) {}

  /**
   * A session for `principal`. With `spendChallengeId`, the session is created only by spending that
   * sign-in challenge, in the same statement; null when the challenge could not be spent (already spent,
   * dead or expired), and then no session exists.
   */
  async issue(principal: Principal, amr: AuthenticationMethod[], ip: string | undefined): Promise<Extract<LoginReply, { status: 'authenticated' }>>;
  async issue(principal: Principal, amr: AuthenticationMethod[], ip: string | undefined, spendChallengeId: string): Promise<Extract<LoginReply, { status: 'authenticated' }> | null>;
  async issue(principal: Principal, amr: AuthenticationMethod[], ip: string | undefined, spendChallengeId?: string): Promise<Extract<LoginReply, { status: 'authenticated' }> | null> {
    const id = randomUUID();
    const expiresAt = new Date(Date.now() + this.signer.ttlSeconds * 1000);
    const session = { id, userId: principal.userId, accountId: principal.accountId, amr, ip: ip ?? null, expiresAt };
    // The token is signed while the row is written; it is handed out only once the row exists.
    const [created, accessToken] = await Promise.all([
      spendChallengeId === undefined ? this.sessions.create(session).then(() => true) : this.sessions.createSpendingChallenge(spendChallengeId, session),
      this.signer.sign({ sub: principal.userId, sid: id, acc: principal.accountId, role: principal.role, amr }, expiresAt),
    ]);
    if (!created) return null;
    this.events.publishInBackground(AuthEvents.loginSucceeded, {
      userId: principal.userId,
      accountId: principal.accountId,
      sessionId: id,
      amr,
      ip,
      at: new Date().toISOString(),
    });
    return { status: 'authenticated', accessToken, expiresIn: this.signer.ttlSeconds, tokenType: 'Bearer' };
  }
}
