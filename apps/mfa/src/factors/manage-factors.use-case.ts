import { Injectable } from '@nestjs/common';
import { DomainError, EventPublisher, requestContext, RpcClient } from '#common';
import { AccountsSubjects, MfaEvents, MfaSignals, type Actor, type RecoveryCodesReply, type ResetMfaReply } from '#contracts';
import { Clock } from '../clock.js';
import { generateRecoveryCodes, hashRecoveryCode } from '../recovery-codes/recovery-codes.js';
import { RecoveryCodeRepository } from '../recovery-codes/recovery-code.repository.js';
import { LockoutRepository } from '../verification/lockout.repository.js';
import { SecondFactorVerifier } from '../verification/second-factor.verifier.js';
import { EmailCodeRepository } from '../email/email-code.repository.js';
import { FactorRepository } from './factor.repository.js';

/**
 * The user removes their own MFA (app, email codes, recovery codes), proving it with a current code of
 * their app (or, without one, a code emailed for the purpose), and only while their account
 * does not require MFA (a holder's or support's reset is the way out then). The policy is asked first,
 * so a refused removal does not spend the code's time step.
 */
@Injectable()
export class RemoveMfaUseCase {
  constructor(
    private readonly verifier: SecondFactorVerifier,
    private readonly factors: FactorRepository,
    private readonly rpc: RpcClient,
    private readonly clock: Clock,
    private readonly events: EventPublisher,
  ) {}

  async execute(userId: string, code: string): Promise<{ removed: true }> {
    const requirement = await this.rpc.request(AccountsSubjects.mfaRequirement, { userId });
    if (requirement.required) {
      throw new DomainError('MFA_REQUIRED_BY_ACCOUNT', 'Your account requires multi-factor authentication, so the authenticator cannot be removed. An account holder can reset it.');
    }
    await this.verifier.verify(userId, await this.verifier.proofMethodOf(userId), code);
    // Every factor goes (app and email codes alike), with the recovery codes.
    const removed = await this.factors.removeAll(userId);
    if (removed.factors === 0) throw new DomainError('MFA_NOT_ENABLED', 'This user has no second factor set up.');
    this.events.publishInBackground(MfaEvents.removed, { userId, ip: requestContext.current()?.ip, at: this.clock.now().toISOString() });
    await this.events.signal(MfaSignals.statusChanged, { userId });
    return { removed: true };
  }
}

/** A new set of ten recovery codes, replacing the old set (used or not); needs a current TOTP code. */
@Injectable()
export class RegenerateRecoveryCodesUseCase {
  constructor(
    private readonly verifier: SecondFactorVerifier,
    private readonly recoveryCodes: RecoveryCodeRepository,
    private readonly clock: Clock,
    private readonly events: EventPublisher,
  ) {}

  async execute(userId: string, code: string): Promise<RecoveryCodesReply> {
    await this.verifier.verify(userId, await this.verifier.proofMethodOf(userId), code);
    const now = this.clock.now();
    const codes = generateRecoveryCodes();
    await this.recoveryCodes.replace(userId, codes.map(hashRecoveryCode), now);
    this.events.publishInBackground(MfaEvents.recoveryCodesRegenerated, { userId, ip: requestContext.current()?.ip, at: now.toISOString() });
    await this.events.signal(MfaSignals.statusChanged, { userId });
    return { recoveryCodes: codes };
  }
}

/**
 * Removes every factor, recovery code and lock of a user, for a holder's or support's reset.
 * Idempotent: resetting a user without MFA succeeds and says nothing was removed.
 */
@Injectable()
export class ResetMfaUseCase {
  constructor(
    private readonly factors: FactorRepository,
    private readonly lockout: LockoutRepository,
    private readonly clock: Clock,
    private readonly events: EventPublisher,
    private readonly emailCodes: EmailCodeRepository,
  ) {}

  async execute(userId: string, actor: Actor): Promise<ResetMfaReply> {
    const removed = await this.factors.removeAll(userId);
    await this.lockout.clear(userId);
    await this.emailCodes.deleteAllOfUser(userId);
    const anything = removed.factors > 0 || removed.recoveryCodes > 0;
    this.events.publishInBackground(MfaEvents.reset, { userId, actor, removed: anything, ip: requestContext.current()?.ip, at: this.clock.now().toISOString() });
    await this.events.signal(MfaSignals.statusChanged, { userId });
    return { removed: anything };
  }
}
