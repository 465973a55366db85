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
  /** An unconfirmed authenticator setup stops counting (and can no longer be confirmed) after this. */
  TOTP_SETUP_TTL_SECONDS: z.coerce.number().int().min(60).max(3_600).default(600),
  /** Consecutive wrong second-factor codes that lock a user's second factor (NIST SP 800-63B: well under 100). */
  MFA_LOCKOUT_THRESHOLD: z.coerce.number().int().min(1).max(100).default(10),
  /** First lock; every further lock doubles it, up to MFA_LOCKOUT_MAX_SECONDS. */
  MFA_LOCKOUT_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
  MFA_LOCKOUT_MAX_SECONDS: z.coerce.number().int().min(1).max(7 * 86_400).default(86_400),
  /**
   * Where mail goes out (email codes, security notifications): `smtp://[user:pass@]host[:port]` (STARTTLS
   * when the server offers it) or `smtps://…` (TLS from the start). Unset: no mail is sent, email codes
   * answer 503 and notifications wait in the events stream (npm start sets it to its development mailbox).
   */
  SMTP_URL: z
    .string()
    .optional()
    .transform((value) => (value?.trim() ? value.trim() : undefined))
    .refine((value) => value === undefined || /^smtps?:\/\/[^\s/]+/.test(value), 'must be smtp://[user:pass@]host[:port] or smtps://…'),
  MAIL_FROM: z.string().min(3).max(200).default('Twofold <no-reply@twofold.invalid>'),
  /** How long an emailed code is valid. */
  EMAIL_CODE_TTL_SECONDS: z.coerce.number().int().min(30).max(3_600).default(600),
  /** Wait between two codes for the same sign-in (or setup). */
  EMAIL_CODE_RESEND_SECONDS: z.coerce.number().int().min(1).max(3_600).default(60),
  /** Codes per sign-in challenge (and per setup within an hour). */
  EMAIL_CODE_MAX_SENDS: z.coerce.number().int().min(1).max(50).default(5),
  /** Longest wait between two delivery attempts of a mail while the mail server is down (doubling from 1 s). */
  MAIL_RETRY_MAX_SECONDS: z.coerce.number().int().min(1).max(3_600).default(300),
};

export type MfaConfig = ReturnType<typeof loadMfaConfig>;

export function loadMfaConfig(env?: Env) {
  return loadConfig(mfaSettings, env);
}

export const MFA_CONFIG = Symbol('MFA_CONFIG');
