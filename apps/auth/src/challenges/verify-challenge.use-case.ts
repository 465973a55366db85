import { Inject, Injectable } from '@nestjs/common';
import { DomainError, EventPublisher, RpcClient } from '#common';
import { AuthEvents, MfaSubjects, type EmailCodeSentReply, type LoginReply, type SendChallengeEmailCodeRequest, type VerifyMfaChallengeRequest } from '#contracts';
import { AUTH_CONFIG, type AuthConfig } from '../auth.config.js';
import { RateLimiter } from '../rate-limits/rate-limiter.js';
import { SessionIssuer } from '../sessions/session-issuer.js';
import { ChallengeRepository } from './challenge.repository.js';

const CHALLENGE_INVALID = 'This sign-in has expired, was already used or had too many wrong codes. Sign in again.';

/**
 * Second step of sign-in: a code for a live challenge. mfa judges the code (replay guard, lockout);
 * auth keeps the challenge's rules: it dies after MFA_CHALLENGE_MAX_ATTEMPTS wrong codes, and is spent
 * by exactly one success, atomically, before a session is issued.
 */
@Injectable()
export class VerifyChallengeUseCase {
  constructor(
    private readonly challenges: ChallengeRepository,
    private readonly sessions: SessionIssuer,
    private readonly rateLimiter: RateLimiter,
    private readonly rpc: RpcClient,
    private readonly events: EventPublisher,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
  ) {}

  async execute(request: VerifyMfaChallengeRequest): Promise<Extract<LoginReply, { status: 'authenticated' }>> {
    // Counting the attempt and reading the challenge are independent: one round trip's wait, not two.
    const [, challenge] = await Promise.all([this.rateLimiter.consume('mfa_verify', request.ip), this.challenges.findLive(request.challengeId)]);
    if (!challenge) throw new DomainError('MFA_CHALLENGE_INVALID', CHALLENGE_INVALID);

    try {
      await this.rpc.request(MfaSubjects.verify, { userId: challenge.userId, method: request.method, code: request.code, challengeId: challenge.id });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      if (err.code === 'MFA_CODE_INVALID') {
        const after = await this.challenges.recordFailure(challenge.id, this.config.MFA_CHALLENGE_MAX_ATTEMPTS);
        this.failed(challenge.userId, challenge.accountId, 'mfa_failed', request.ip);
        if (!after) throw new DomainError('MFA_CHALLENGE_INVALID', CHALLENGE_INVALID);
        const attemptsRemaining = Math.max(0, this.config.MFA_CHALLENGE_MAX_ATTEMPTS - after.failedAttempts);
        throw new DomainError('MFA_CODE_INVALID', err.message, { attemptsRemaining });
      }
      if (err.code === 'MFA_LOCKED') {
        // Decided here, not by the timing of the `mfa.events.locked` event: no open challenge survives a lock.
        await this.challenges.killAllOfUser(challenge.userId);
        this.failed(challenge.userId, challenge.accountId, 'locked', request.ip);
        throw err;
      }
      if (err.code === 'MFA_NOT_ENABLED') {
        // The factor was removed or reset after the password step: this sign-in must start over.
        await this.challenges.kill(challenge.id);
        throw new DomainError('MFA_CHALLENGE_INVALID', CHALLENGE_INVALID);
      }
      throw err;
    }

    // The challenge is spent and the session created in one statement: exactly one success gets a session.
    // An emailed code is a one-time password too (RFC 8176 has no value for email): the same amr.
    const session = await this.sessions.issue({ userId: challenge.userId, accountId: challenge.accountId, role: challenge.role }, ['pwd', 'otp', 'mfa'], request.ip, challenge.id);
    if (!session) throw new DomainError('MFA_CHALLENGE_INVALID', CHALLENGE_INVALID);
    return session;
  }

  /** "Email me a code" for a live challenge; mfa throttles the sends and checks the account allows it. */
  async sendEmailCode(request: SendChallengeEmailCodeRequest): Promise<EmailCodeSentReply> {
    const challenge = await this.challenges.findLive(request.challengeId);
    if (!challenge) throw new DomainError('MFA_CHALLENGE_INVALID', CHALLENGE_INVALID);
    return this.rpc.request(MfaSubjects.sendEmailCode, { userId: challenge.userId, challengeId: challenge.id });
  }

  private failed(userId: string, accountId: string, reason: 'mfa_failed' | 'locked', ip: string | undefined): void {
    this.events.publishInBackground(AuthEvents.loginFailed, { userId, accountId, reason, ip, at: new Date().toISOString() });
  }
}
