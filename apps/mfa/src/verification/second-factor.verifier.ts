import { Inject, Injectable } from '@nestjs/common';
import { DomainError, EventPublisher, requestContext } from '#common';
import { MfaEvents, type MfaMethod } from '#contracts';
import { Clock } from '../clock.js';
import { sealedOf, FactorRepository } from '../factors/factor.repository.js';
import { SecretBox } from '../factors/secret-box.js';
import { MFA_CONFIG, type MfaConfig } from '../mfa.config.js';
import { hashRecoveryCode } from '../recovery-codes/recovery-codes.js';
import { RecoveryCodeRepository } from '../recovery-codes/recovery-code.repository.js';
import { matchStep } from '../totp/totp.js';
import { LockoutRepository, type LockoutPolicy } from './lockout.repository.js';
import type { FactorEntity } from '../factors/factor.entity.js';

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
    @Inject(MFA_CONFIG) config: MfaConfig,
  ) {
    this.policy = {
      threshold: config.MFA_LOCKOUT_THRESHOLD,
      baseLockSeconds: config.MFA_LOCKOUT_SECONDS,
      maxLockSeconds: config.MFA_LOCKOUT_MAX_SECONDS,
    };
  }

  /** Resolves with the user's active TOTP factor when the code passes; throws a DomainError otherwise. */
  async verify(userId: string, method: MfaMethod, code: string): Promise<FactorEntity> {
    const now = this.clock.now();
    const lockedUntil = await this.lockout.lockedUntil(userId, now);
    if (lockedUntil) {
      this.failed(userId, method, 'locked', now);
      throw lockedError(lockedUntil, now);
    }
    const factor = await this.factors.findActiveTotp(userId);
    if (!factor) throw new DomainError('MFA_NOT_ENABLED', 'This user has no second factor set up.');

    const outcome = method === 'totp' ? await this.checkTotp(factor, code, now) : await this.checkRecoveryCode(userId, code, now);
    if (outcome === 'ok') {
      await this.lockout.recordSuccess(userId, now);
      this.events.publishInBackground(MfaEvents.verificationSucceeded, { userId, method, ip: requestContext.current()?.ip, at: now.toISOString() });
      return factor;
    }
    if (outcome === 'replayed') {
      // The code was right but its time step is spent: refused, yet not a guess, so no lockout count.
      this.failed(userId, method, 'replayed', now);
      throw invalidCode();
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

  private async checkTotp(factor: FactorEntity, code: string, now: Date): Promise<'ok' | 'wrong' | 'replayed'> {
    const secret = this.box.open(sealedOf(factor), factor.id, factor.userId);
    const step = matchStep(secret, code, now);
    secret.fill(0);
    if (step === undefined) return 'wrong';
    return (await this.factors.claimStep(factor.id, step)) ? 'ok' : 'replayed';
  }

  private async checkRecoveryCode(userId: string, code: string, now: Date): Promise<'ok' | 'wrong'> {
    return (await this.recoveryCodes.consume(userId, hashRecoveryCode(code), now)) ? 'ok' : 'wrong';
  }

  private failed(userId: string, method: MfaMethod, reason: 'wrong_code' | 'replayed' | 'locked', now: Date): void {
    this.events.publishInBackground(MfaEvents.verificationFailed, { userId, method, reason, ip: requestContext.current()?.ip, at: now.toISOString() });
  }
}

function invalidCode(): DomainError {
  return new DomainError('MFA_CODE_INVALID', 'The code is wrong or was already used.');
}
