import { Inject, Injectable } from '@nestjs/common';
import { createHmac, hkdfSync, randomInt, timingSafeEqual } from 'node:crypto';
import { MFA_CONFIG, type MfaConfig } from '../mfa.config.js';

/** Six digits, uniformly drawn. */
export function generateEmailCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

/** Where a code may be used: one sign-in, the email setup, or managing MFA (removal, new recovery codes). */
export type EmailCodeScope = `challenge:${string}` | `setup:${string}` | `manage:${string}`;

export function scopeFor(userId: string, purpose: 'setup' | 'manage' | { challengeId: string }): EmailCodeScope {
  if (purpose === 'setup') return `setup:${userId}`;
  if (purpose === 'manage') return `manage:${userId}`;
  return `challenge:${purpose.challengeId}`;
}

/** `zoe@example.com` → `z•••@example.com`: enough to recognise one's address, not to learn someone's. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '•••';
  return `${[...email.slice(0, at)][0]}•••${email.slice(at)}`;
}

/**
 * HMAC-SHA-256 of an emailed code, bound to its scope and user, under a key derived (HKDF) from the
 * mfa keyring. A 6-digit code has only a million values: a plain hash in a leaked table would be
 * reversed at once, a keyed one cannot be without the keyring. Keys rotate with the keyring; a code
 * is checked with the key it was made under (codes live minutes).
 */
@Injectable()
export class EmailCodeHasher {
  private readonly keys = new Map<string, Buffer>();
  private readonly currentId: string;

  constructor(@Inject(MFA_CONFIG) config: Pick<MfaConfig, 'MFA_ENCRYPTION_KEYS'>) {
    for (const { id, key } of config.MFA_ENCRYPTION_KEYS) {
      this.keys.set(id, Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'twofold:email-codes:v1', 32)));
    }
    this.currentId = config.MFA_ENCRYPTION_KEYS[0]!.id;
  }

  hash(scope: EmailCodeScope, userId: string, code: string): { keyId: string; hash: Buffer } {
    return { keyId: this.currentId, hash: this.mac(this.currentId, scope, userId, code)! };
  }

  /** Constant-time comparison; false for a key no longer in the keyring. */
  matches(stored: { keyId: string; hash: Buffer }, scope: EmailCodeScope, userId: string, code: string): boolean {
    const mac = this.mac(stored.keyId, scope, userId, code);
    return mac !== undefined && mac.length === stored.hash.length && timingSafeEqual(mac, stored.hash);
  }

  private mac(keyId: string, scope: string, userId: string, code: string): Buffer | undefined {
    const key = this.keys.get(keyId);
    return key ? createHmac('sha256', key).update(`${scope}\n${userId}\n${code}`, 'utf8').digest() : undefined;
  }
}
