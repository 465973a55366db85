import { createHash, randomBytes } from 'node:crypto';

export const SUPPORT_KEY_PREFIX = 'tfsk_';

export function hashSupportKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A new key: `tfsk_<id>_<secret>`; the id is public (audit logs name it), the secret is 256 random bits. */
export function generateSupportKey(): { id: string; key: string } {
  const id = randomBytes(6).toString('hex');
  return { id, key: `${SUPPORT_KEY_PREFIX}${id}_${randomBytes(32).toString('base64url')}` };
}
