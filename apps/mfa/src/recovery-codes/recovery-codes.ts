import { createHash, randomBytes } from 'node:crypto';

export const RECOVERY_CODE_COUNT = 10;
/** 80 bits each: guessing one is out of reach, so a fast hash (SHA-256) is enough at rest. */
export const RECOVERY_CODE_BYTES = 10;

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** 16 Crockford base32 characters from 80 random bits, shown as `XXXX-XXXX-XXXX-XXXX`. */
export function generateRecoveryCode(): string {
  const bytes = randomBytes(RECOVERY_CODE_BYTES);
  let bits = 0n;
  for (const byte of bytes) bits = (bits << 8n) | BigInt(byte);
  let out = '';
  for (let i = 15; i >= 0; i--) out += CROCKFORD[Number((bits >> BigInt(i * 5)) & 31n)];
  return out.match(/.{4}/g)!.join('-');
}

export function generateRecoveryCodes(): string[] {
  const codes = new Set<string>();
  while (codes.size < RECOVERY_CODE_COUNT) codes.add(generateRecoveryCode());
  return [...codes];
}

/** The normal form of a typed code: dashes dropped, upper case, I/L → 1 and O → 0 (Crockford). */
export function normalizeRecoveryCode(typed: string): string {
  return typed.replace(/-/g, '').toUpperCase().replace(/[IL]/g, '1').replace(/O/g, '0');
}

export function hashRecoveryCode(typed: string): string {
  return createHash('sha256').update(`twofold:recovery:${normalizeRecoveryCode(typed)}`, 'utf8').digest('hex');
}
