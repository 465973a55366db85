import { Inject, Injectable } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import QRCode from 'qrcode';
import { DomainError, EventPublisher, requestContext } from '#common';
import { MfaEvents, MfaSignals, normalizeUsername, type TotpSetupConfirmReply, type TotpSetupStartReply } from '#contracts';
import { Clock } from '../clock.js';
import { FactorRepository, sealedOf } from '../factors/factor.repository.js';
import { SecretBox } from '../factors/secret-box.js';
import { MFA_CONFIG, type MfaConfig } from '../mfa.config.js';
import { generateRecoveryCodes, hashRecoveryCode } from '../recovery-codes/recovery-codes.js';
import { base32Encode, manualKey, matchStep, otpauthUrl, TOTP_SECRET_BYTES } from './totp.js';

/**
 * Self-service authenticator setup. `start` makes a fresh secret and keeps it sealed as a pending
 * factor (replacing any earlier unconfirmed one); `confirm` with a current code turns it into the
 * user's factor and hands out the recovery codes, once. After that the secret never leaves the service.
 */
@Injectable()
export class TotpSetupUseCase {
  constructor(
    private readonly factors: FactorRepository,
    private readonly box: SecretBox,
    private readonly clock: Clock,
    private readonly events: EventPublisher,
    @Inject(MFA_CONFIG) private readonly config: MfaConfig,
  ) {}

  async start(userId: string, username: string): Promise<TotpSetupStartReply> {
    if (await this.factors.findActiveTotp(userId)) {
      throw new DomainError('MFA_ALREADY_ENABLED', 'An authenticator app is already set up. Remove it first to set up another.');
    }
    const now = this.clock.now();
    const secret = randomBytes(TOTP_SECRET_BYTES);
    const id = randomUUID();
    const ttl = this.config.TOTP_SETUP_TTL_SECONDS;
    await this.factors.replacePendingTotp({
      id,
      userId,
      sealed: this.box.seal(secret, id, userId),
      createdAt: now,
      expiresAt: new Date(now.getTime() + ttl * 1000),
    });
    const secretBase32 = base32Encode(secret);
    secret.fill(0);
    const url = otpauthUrl(this.config.TOTP_ISSUER, normalizeUsername(username), secretBase32);
    const qrCode = await QRCode.toDataURL(url, { type: 'image/png', errorCorrectionLevel: 'M', margin: 2, width: 256 });
    return { otpauthUrl: url, qrCode, manualKey: manualKey(secretBase32), expiresIn: ttl };
  }

  async confirm(userId: string, code: string): Promise<TotpSetupConfirmReply> {
    const now = this.clock.now();
    const pending = await this.factors.findLivePendingTotp(userId, now);
    if (!pending) {
      if (await this.factors.findActiveTotp(userId)) {
        throw new DomainError('MFA_ALREADY_ENABLED', 'An authenticator app is already set up for this user.');
      }
      throw new DomainError('MFA_SETUP_NOT_STARTED', 'There is no authenticator setup to confirm (it may have expired): start again.');
    }
    const secret = this.box.open(sealedOf(pending), pending.id, userId);
    const step = matchStep(secret, code, now);
    secret.fill(0);
    if (step === undefined) throw new DomainError('MFA_CODE_INVALID', 'The code does not match: check the time on the device and try the current code.');

    const recoveryCodes = generateRecoveryCodes();
    const activated = await this.factors.activateTotp(pending.id, userId, step, now, recoveryCodes.map(hashRecoveryCode));
    if (!activated) throw new DomainError('MFA_SETUP_NOT_STARTED', 'This setup expired or was replaced by a newer one: start again.');
    this.events.publishInBackground(MfaEvents.enrolled, { userId, method: 'totp', ip: requestContext.current()?.ip, at: now.toISOString() });
    await this.events.signal(MfaSignals.statusChanged, { userId });
    return { recoveryCodes };
  }
}
