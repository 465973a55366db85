import { randomBytes } from 'node:crypto';
import { SecretBox } from './secret-box.js';

const key = (id: string) => ({ id, key: randomBytes(32) });

describe('SecretBox (TOTP secrets at rest)', () => {
  const k1 = key('k1');
  const k2 = key('k2');
  const secret = randomBytes(20);

  it('seals under the current key and opens again', () => {
    const box = new SecretBox({ MFA_ENCRYPTION_KEYS: [k1] });
    const sealed = box.seal(secret, 'f1', 'u1');
    expect(sealed.keyId).toBe('k1');
    expect(sealed.ciphertext.equals(secret)).toBe(false);
    expect(box.open(sealed, 'f1', 'u1').equals(secret)).toBe(true);
  });

  it('binds a ciphertext to its factor and user: moved to another row it does not open', () => {
    const box = new SecretBox({ MFA_ENCRYPTION_KEYS: [k1] });
    const sealed = box.seal(secret, 'f1', 'u1');
    expect(() => box.open(sealed, 'f2', 'u1')).toThrow();
    expect(() => box.open(sealed, 'f1', 'u2')).toThrow();
  });

  it('detects tampering', () => {
    const box = new SecretBox({ MFA_ENCRYPTION_KEYS: [k1] });
    const sealed = box.seal(secret, 'f1', 'u1');
    const flipped = Buffer.from(sealed.ciphertext);
    flipped[0]! ^= 1;
    expect(() => box.open({ ...sealed, ciphertext: flipped }, 'f1', 'u1')).toThrow();
  });

  it('opens secrets sealed under an older key of the keyring, and seals new ones under the first', () => {
    const old = new SecretBox({ MFA_ENCRYPTION_KEYS: [k1] }).seal(secret, 'f1', 'u1');
    const rotated = new SecretBox({ MFA_ENCRYPTION_KEYS: [k2, k1] });
    expect(rotated.open(old, 'f1', 'u1').equals(secret)).toBe(true);
    expect(rotated.seal(secret, 'f1', 'u1').keyId).toBe('k2');
    expect(() => new SecretBox({ MFA_ENCRYPTION_KEYS: [k2] }).open(old, 'f1', 'u1')).toThrow(/not in MFA_ENCRYPTION_KEYS/);
  });
});
