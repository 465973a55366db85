import { Inject, Injectable } from '@nestjs/common';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { MFA_CONFIG, type MfaConfig } from '../mfa.config.js';

export interface SealedSecret {
  keyId: string;
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

export type Keyring = MfaConfig['MFA_ENCRYPTION_KEYS'];

/**
 * AES-256-GCM for TOTP secrets at rest, under the keyring of the configuration (the first key seals,
 * any listed key opens). The additional data binds a ciphertext to its factor and user, so a row's
 * secret copied into another row (or another user's) does not decrypt.
 */
@Injectable()
export class SecretBox {
  constructor(@Inject(MFA_CONFIG) private readonly config: Pick<MfaConfig, 'MFA_ENCRYPTION_KEYS'>) {}

  static additionalData(factorId: string, userId: string): Buffer {
    return Buffer.from(`twofold:mfa:totp:v1:${factorId}:${userId}`, 'utf8');
  }

  get currentKeyId(): string {
    return this.config.MFA_ENCRYPTION_KEYS[0]!.id;
  }

  seal(plaintext: Uint8Array, factorId: string, userId: string): SealedSecret {
    const key = this.config.MFA_ENCRYPTION_KEYS[0]!;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key.key, iv);
    cipher.setAAD(SecretBox.additionalData(factorId, userId));
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return { keyId: key.id, iv, ciphertext, tag: cipher.getAuthTag() };
  }

  /** Throws when the key id is not in the keyring or the ciphertext, tag or binding was tampered with. */
  open(sealed: SealedSecret, factorId: string, userId: string): Buffer {
    const key = this.config.MFA_ENCRYPTION_KEYS.find((k) => k.id === sealed.keyId);
    if (!key) throw new Error(`TOTP secret sealed under key "${sealed.keyId}", which is not in MFA_ENCRYPTION_KEYS`);
    const decipher = createDecipheriv('aes-256-gcm', key.key, sealed.iv);
    decipher.setAAD(SecretBox.additionalData(factorId, userId));
    decipher.setAuthTag(sealed.tag);
    return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]);
  }
}
