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

  async issue(principal: Principal, amr: AuthenticationMethod[], ip: string | undefined): Promise<Extract<LoginReply, { status: 'authenticated' }>> {
    const id = randomUUID();
    const expiresAt = new Date(Date.now() + this.signer.ttlSeconds * 1000);
    await this.sessions.create({ id, userId: principal.userId, accountId: principal.accountId, amr, ip: ip ?? null, expiresAt });
    const accessToken = await this.signer.sign({ sub: principal.userId, sid: id, acc: principal.accountId, role: principal.role, amr }, expiresAt);
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
