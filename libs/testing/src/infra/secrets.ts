import { generateKeyPairSync, randomBytes } from 'node:crypto';

/** The secrets a stack needs and that development and tests generate instead of configuring. */
export interface StackSecrets {
  /** Ed25519 private key, PKCS#8 PEM: signs session tokens (auth). */
  JWT_PRIVATE_KEY: string;
  /** Keyring `keyId:base64(32 bytes)[,…]`, first is current: encrypts TOTP secrets (mfa). */
  MFA_ENCRYPTION_KEYS: string;
}

export function generateJwtPrivateKey(): string {
  const { privateKey } = generateKeyPairSync('ed25519', {
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return privateKey;
}

export function generateEncryptionKeyring(keyId = 'k1'): string {
  return `${keyId}:${randomBytes(32).toString('base64')}`;
}

export function generateSecrets(): StackSecrets {
  return { JWT_PRIVATE_KEY: generateJwtPrivateKey(), MFA_ENCRYPTION_KEYS: generateEncryptionKeyring() };
}

/** URL-safe random token, for support keys and passwords that must survive any shell or header. */
export function randomToken(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

/** Short lowercase suffix that keeps names unique across tests, workers and concurrent runs. */
export function uniqueSuffix(length = 10): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += alphabet[byte % alphabet.length];
  return out;
}

/** A password that satisfies any sane policy: upper, lower, digit, symbol, 20+ characters. */
export function strongPassword(): string {
  return `Tf-${randomToken(15)}9a!`;
}
