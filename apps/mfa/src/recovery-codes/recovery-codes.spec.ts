import { RECOVERY_CODE_PATTERN } from '#contracts';
import { generateRecoveryCodes, hashRecoveryCode, normalizeRecoveryCode, RECOVERY_CODE_BYTES } from './recovery-codes.js';

describe('recovery codes', () => {
  it('makes ten distinct codes of 80 random bits, shown as xxxx-xxxx-xxxx-xxxx in Crockford base32', () => {
    expect(RECOVERY_CODE_BYTES * 8).toBe(80);
    const codes = generateRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) {
      expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
      expect(code).toMatch(RECOVERY_CODE_PATTERN);
    }
  });

  it('accepts a code typed in any case, with or without dashes, with I/L/O for 1/1/0', () => {
    const hash = hashRecoveryCode('7QK2-M9XD-4HT1-0B6C');
    expect(hashRecoveryCode('7qk2m9xd4ht10b6c')).toBe(hash);
    expect(hashRecoveryCode('7QK2-M9XD-4HTl-oB6C')).toBe(hash);
    expect(hashRecoveryCode('7QK2M9XD-4HTI-0B6C')).toBe(hash);
    expect(normalizeRecoveryCode('ab-cd')).toBe('ABCD');
    expect(hashRecoveryCode('7QK2-M9XD-4HT1-0B6D')).not.toBe(hash);
  });
});
