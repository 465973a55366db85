import { z } from 'zod';
import { commonSettings, databaseSettings, loadConfig, type Env } from '#common';

const KEYRING_ENTRY = /^[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/]{43}=$/;

const mfaSettings = {
  ...commonSettings,
  ...databaseSettings,
  /**
   * Keyring for TOTP secrets at rest (AES-256-GCM): `keyId:base64(32 bytes)[,keyId:base64…]`, current key
   * first. Older keys stay listed until `npm run mfa:rekey` has moved every secret to the current one.
   */
  MFA_ENCRYPTION_KEYS: z
    .string({ error: 'is required: keyId:base64-of-32-random-bytes (npm start generates one for development)' })
    .transform((value) => value.split(',').map((entry) => entry.trim()).filter(Boolean))
    .refine((entries) => entries.length > 0 && entries.every((entry) => KEYRING_ENTRY.test(entry)), {
      message: 'each entry must be keyId:base64 of exactly 32 bytes (e.g. k1:$(openssl rand -base64 32))',
    })
    .transform((entries) => entries.map((entry) => {
      const [id, key] = entry.split(':') as [string, string];
      return { id, key: Buffer.from(key, 'base64') };
    }))
    .refine((keys) => new Set(keys.map((k) => k.id)).size === keys.length, 'key ids must be unique'),
  TOTP_ISSUER: z.string().min(1).max(64).default('Twofold'),
};

export type MfaConfig = ReturnType<typeof loadMfaConfig>;

export function loadMfaConfig(env?: Env) {
  return loadConfig(mfaSettings, env);
}

export const MFA_CONFIG = Symbol('MFA_CONFIG');
