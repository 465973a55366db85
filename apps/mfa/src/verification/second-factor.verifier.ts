import { Inject, Injectable } from '@nestjs/common';
import { DomainError, EventPublisher, requestContext } from '#common';
import { MfaEvents, MfaSignals, type MfaMethod, type MfaVerificationEvent } from '#contracts';
import { Clock } from '../clock.js';
import { sealedOf, FactorRepository } from '../factors/factor.repository.js';
import { SecretBox } from '../factors/secret-box.js';
import { MFA_CONFIG, type MfaConfig } from '../mfa.config.js';
import { hashRecoveryCode } from '../recovery-codes/recovery-codes.js';
import { RecoveryCodeRepository } from '../recovery-codes/recovery-code.repository.js';
import { matchStep } from '../totp/totp.js';
import { LockoutRepository, type LockoutPolicy } from './lockout.repository.js';
import type { FactorEntity } from '../factors/factor.entity.js';
import { EmailCodeChecker } from '../email/email-code.checker.js';
import { scopeFor } from '../email/email-code.js';
import { EmailRecipient } from '../email/email-recipient.js';

export function lockedError(lockedUntil: Date, now: Date): DomainError {
  const retryAfterSeconds = Math.max(1, Math.ceil((lockedUntil.getTime() - now.getTime()) / 1000));
  return new DomainError('MFA_LOCKED', 'Too many wrong codes: the second factor is locked for now. Try again later.', {
    lockedUntil: lockedUntil.toISOString(),
    retryAfterSeconds,
  });
}

/**
 * Every check of a second-factor code goes through here (sign-in, removal, new recovery codes), so the
 * same rules hold everywhere: a locked user is refused even with the right code; a TOTP step is accepted
 * once (replay guard); a recovery code once; wrong codes count toward the lockout; a right one resets it.
 */
@Injectable()
export class SecondFactorVerifier {
  private readonly policy: LockoutPolicy;

  constructor(
    private readonly factors: FactorRepository,
    private readonly recoveryCodes: RecoveryCodeRepository,
    private readonly lockout: LockoutRepository,
    private readonly box: SecretBox,
    private readonly clock: Clock,
    private readonly events: EventPublisher,
    private readonly emailCodes: EmailCodeChecker,
    private readonly recipient: EmailRecipient,
    @Inject(MFA_CONFIG) config: MfaConfig,
  ) {
    this.policy = {
      threshold: config.MFA_LOCKOUT_THRESHOLD,
      baseLockSeconds: config.MFA_LOCKOUT_SECONDS,
      maxLockSeconds: config.MFA_LOCKOUT_MAX_SECONDS,
    };
  }

  /**
   * Resolves with the factor when the code passes; throws a DomainError otherwise. An email code is checked against the
   * code sent for `challengeId` (a sign-in), or without one against the code sent for managing MFA.
   */
  async verify(userId: string, method: MfaMethod, code: string, challengeId?: string): Promise<FactorEntity> {
    const now = this.clock.now();
    // One round trip: the lock and the active factors (the lock still decides first).
    const state = await this.factors.verificationStateOf(userId, now);
    if (state.lockedUntil) {
      this.failed(userId, method, 'locked', now);
      throw lockedError(state.lockedUntil, now);
    }
    const types = new Set(state.factors.map((f) => f.type));
    if (!types.size) throw new DomainError('MFA_NOT_ENABLED', 'This user has no second factor set up.');
    if (method === 'totp' && !types.has('totp')) {
      throw new DomainError('MFA_METHOD_NOT_ALLOWED', 'No authenticator app is set up for you: use the method you chose, or a recovery code.');
    }
    if (method === 'email') {
      if (!types.has('email')) throw new DomainError('MFA_METHOD_NOT_ALLOWED', 'Email codes are not set up for you: use your authenticator app or a recovery code.');
      await this.recipient.allowed(userId).catch((err: unknown) => {
        this.failed(userId, method, 'not_allowed', now);
        throw err;
      });
    }

    // The factor that passed (for a recovery code: the app if there is one, else email).
    const passingType = method === 'email' || !types.has('totp') ? 'email' : 'totp';
    const factor = state.factors.find((f) => f.type === passingType)!;
    // TOTP and recovery codes reset the lockout count in the statement that accepts the code.
    const outcome =
      method === 'totp'
        ? await this.checkTotp(factor, code, now)
        : method === 'email'
          ? await this.emailCodes.check(scopeFor(userId, challengeId ? { challengeId } : 'manage'), userId, code, now)
          : await this.checkRecoveryCode(userId, code, now);
    if (outcome === 'ok') {
      if (method === 'email') await this.lockout.recordSuccess(userId, now);
      this.events.publishInBackground(MfaEvents.verificationSucceeded, { userId, method, ip: requestContext.current()?.ip, at: now.toISOString() });
      // A spent recovery code may have been the last one: the user's methods changed.
      if (method === 'recovery_code') await this.events.signal(MfaSignals.statusChanged, { userId });
      return factor;
    }
    if (outcome === 'replayed') {
      // The code was right but its time step is spent: refused, yet not a guess, so no lockout count.
      this.failed(userId, method, 'replayed', now);
      throw invalidCode();
    }
    if (outcome === 'expired') {
      // The right emailed code, too late: not a guess either.
      this.failed(userId, method, 'expired', now);
      throw new DomainError('MFA_CODE_EXPIRED', 'This code has expired: send yourself a new one.');
    }
    const failure = await this.lockout.recordFailure(userId, now, this.policy);
    this.failed(userId, method, 'wrong_code', now);
    if (failure.locked && failure.lockedUntil) {
      this.events.publishInBackground(MfaEvents.locked, {
        userId,
        lockedUntil: failure.lockedUntil.toISOString(),
        ip: requestContext.current()?.ip,
        at: now.toISOString(),
      });
    }
    if (failure.lockedUntil && failure.lockedUntil > now) throw lockedError(failure.lockedUntil, now);
    throw invalidCode();
  }

  /** The factor a management action (removal, new recovery codes) is proven with: the app if there is one, else email. */
  async proofMethodOf(userId: string): Promise<'totp' | 'email'> {
    const types = (await this.factors.activeTypesOf([userId])).get(userId);
    if (!types?.size) throw new DomainError('MFA_NOT_ENABLED', 'This user has no second factor set up.');
    return types.has('totp') ? 'totp' : 'email';
  }

  private async checkTotp(factor: FactorEntity, code: string, now: Date): Promise<'ok' | 'wrong' | 'replayed'> {
    const secret = this.box.open(sealedOf(factor), factor.id, factor.userId);
    const step = matchStep(secret, code, now);
    secret.fill(0);
    if (step === undefined) return 'wrong';
    return (await this.factors.claimStepAndResetLockout(factor.id, factor.userId, step, now)) ? 'ok' : 'replayed';
  }

  private async checkRecoveryCode(userId: string, code: string, now: Date): Promise<'ok' | 'wrong'> {
    return (await this.recoveryCodes.consumeAndResetLockout(userId, hashRecoveryCode(code), now)) ? 'ok' : 'wrong';
  }

  private failed(userId: string, method: MfaMethod, reason: NonNullable<MfaVerificationEvent['reason']>, now: Date): void {
    this.events.publishInBackground(MfaEvents.verificationFailed, { userId, method, reason, ip: requestContext.current()?.ip, at: now.toISOString() });
  }
}

function invalidCode(): DomainError {
  return new DomainError('MFA_CODE_INVALID', 'The code is wrong or was already used.');
}
