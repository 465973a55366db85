import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DomainError, EventPublisher, requestContext } from '#common';
import { MfaEvents, MfaSignals, type EmailCodeSentReply, type TotpSetupConfirmReply } from '#contracts';
import { Clock } from '../clock.js';
import { FactorRepository } from '../factors/factor.repository.js';
import { MFA_CONFIG, type MfaConfig } from '../mfa.config.js';
import { Mailer } from '../notifications/mailer.js';
import { emailCodeMail, type CodePurpose } from '../notifications/templates.js';
import { generateRecoveryCodes, hashRecoveryCode } from '../recovery-codes/recovery-codes.js';
import { EmailCodeChecker } from './email-code.checker.js';
import { EmailCodeDelivery } from './email-code.delivery.js';
import { EmailCodeHasher, generateEmailCode, maskEmail, scopeFor, type EmailCodeScope } from './email-code.js';
import { EmailCodeRepository } from './email-code.repository.js';
import { EmailRecipient } from './email-recipient.js';

const HOUR_SECONDS = 3_600;

/** Makes a code for a scope (throttled), stores its HMAC and hands the mail to the background delivery. */
@Injectable()
export class EmailCodeSender {
  constructor(
    private readonly codes: EmailCodeRepository,
    private readonly hasher: EmailCodeHasher,
    private readonly delivery: EmailCodeDelivery,
    private readonly mailer: Mailer,
    private readonly clock: Clock,
    @Inject(MFA_CONFIG) private readonly config: MfaConfig,
  ) {}

  async send(scope: EmailCodeScope, user: { id: string; email: string }, purpose: CodePurpose): Promise<EmailCodeSentReply & { expiresAt: Date }> {
    if (!this.mailer.configured) {
      throw new DomainError('SERVICE_UNAVAILABLE', 'Email delivery is not configured on this server, so no code can be sent.');
    }
    const now = this.clock.now();
    const ttl = this.config.EMAIL_CODE_TTL_SECONDS;
    const expiresAt = new Date(now.getTime() + ttl * 1000);
    const code = generateEmailCode();
    const { keyId, hash } = this.hasher.hash(scope, user.id, code);
    const limits = { resendSeconds: this.config.EMAIL_CODE_RESEND_SECONDS, maxSends: this.config.EMAIL_CODE_MAX_SENDS, windowSeconds: HOUR_SECONDS };
    const outcome = await this.codes.issue({ scope, userId: user.id, keyId, hash, now, expiresAt }, limits);
    if (!outcome.issued) {
      throw new DomainError(
        'RATE_LIMITED',
        outcome.exhausted
          ? purpose === 'sign_in'
            ? 'No more codes can be sent for this sign-in. Use the last code you received, or sign in again.'
            : 'No more codes can be sent for now. Use the last code you received, or try again later.'
          : `A code was sent moments ago. Check your inbox (and spam folder), or ask for another in ${outcome.retryAfterSeconds} s.`,
        { retryAfterSeconds: outcome.retryAfterSeconds },
      );
    }
    this.delivery.deliver(scope, user.email, emailCodeMail(code, purpose, ttl), expiresAt);
    return {
      sentTo: maskEmail(user.email),
      expiresIn: ttl,
      resendAfterSeconds: limits.resendSeconds,
      sendsRemaining: Math.max(0, limits.maxSends - outcome.sendCount),
      expiresAt,
    };
  }
}

/**
 * Choosing email codes: `start` mails a code to the address on file (where the account allows email
 * codes), `confirm` with that code makes email a factor of the user and hands out ten recovery codes,
 * once. Email may sit beside an authenticator app; either then passes a challenge.
 */
@Injectable()
export class EmailSetupUseCase {
  constructor(
    private readonly recipient: EmailRecipient,
    private readonly sender: EmailCodeSender,
    private readonly checker: EmailCodeChecker,
    private readonly factors: FactorRepository,
    private readonly clock: Clock,
    private readonly events: EventPublisher,
  ) {}

  async start(userId: string): Promise<EmailCodeSentReply> {
    const user = await this.recipient.allowed(userId);
    if (await this.factors.findActive(userId, 'email')) {
      throw new DomainError('MFA_ALREADY_ENABLED', 'Email codes are already set up for you.');
    }
    const { expiresAt, ...reply } = await this.sender.send(scopeFor(userId, 'setup'), user, 'setup');
    await this.factors.replacePendingEmail({ id: randomUUID(), userId, createdAt: this.clock.now(), expiresAt });
    return reply;
  }

  async confirm(userId: string, code: string): Promise<TotpSetupConfirmReply> {
    await this.recipient.allowed(userId);
    const now = this.clock.now();
    const pending = await this.factors.findLivePending(userId, 'email', now);
    if (!pending) {
      if (await this.factors.findActive(userId, 'email')) throw new DomainError('MFA_ALREADY_ENABLED', 'Email codes are already set up for you.');
      throw new DomainError('MFA_SETUP_NOT_STARTED', 'There is no email setup to confirm (it may have expired): ask for a new code.');
    }
    const outcome = await this.checker.check(scopeFor(userId, 'setup'), userId, code, now);
    if (outcome === 'expired') throw new DomainError('MFA_CODE_EXPIRED', 'This code has expired: ask for a new one.');
    if (outcome !== 'ok') throw new DomainError('MFA_CODE_INVALID', 'The code is wrong or was already used. Check the latest email and try again.');

    const recoveryCodes = generateRecoveryCodes();
    if (!(await this.factors.activateEmail(pending.id, userId, now, recoveryCodes.map(hashRecoveryCode)))) {
      throw new DomainError('MFA_SETUP_NOT_STARTED', 'This setup expired or was replaced by a newer one: ask for a new code.');
    }
    this.events.publishInBackground(MfaEvents.enrolled, { userId, method: 'email', ip: requestContext.current()?.ip, at: now.toISOString() });
    await this.events.signal(MfaSignals.statusChanged, { userId });
    return { recoveryCodes };
  }
}

/**
 * Mails a code to a user who chose email codes: for one sign-in challenge (auth has checked it is live
 * and theirs), or, without a challenge, to prove the factor when removing MFA or renewing recovery codes.
 */
@Injectable()
export class SendEmailCodeUseCase {
  constructor(
    private readonly recipient: EmailRecipient,
    private readonly sender: EmailCodeSender,
    private readonly factors: FactorRepository,
  ) {}

  async execute(userId: string, challengeId?: string): Promise<EmailCodeSentReply> {
    if (!(await this.factors.findActive(userId, 'email'))) {
      throw new DomainError('MFA_METHOD_NOT_ALLOWED', 'Email codes are not set up for you: use your authenticator app or a recovery code.');
    }
    const user = await this.recipient.allowed(userId);
    const scope = scopeFor(userId, challengeId ? { challengeId } : 'manage');
    const { expiresAt: _expiresAt, ...reply } = await this.sender.send(scope, user, challengeId ? 'sign_in' : 'manage');
    return reply;
  }
}
