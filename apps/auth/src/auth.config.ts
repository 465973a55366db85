import { z } from 'zod';
import { commonSettings, databaseSettings, loadConfig, type Env } from '#common';

const authSettings = {
  ...commonSettings,
  ...databaseSettings,
  JWT_PRIVATE_KEY: z
    .string({ error: 'is required: an Ed25519 private key in PKCS#8 PEM (npm start generates one for development)' })
    .transform((pem) => pem.replace(/\\n/g, '\n'))
    .refine((pem) => pem.includes('BEGIN PRIVATE KEY'), 'must be a PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----")'),
  JWT_ISSUER: z.string().min(1).default('twofold'),
  JWT_AUDIENCE: z.string().min(1).default('twofold'),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(900),
  SUPPORT_BOOTSTRAP_KEY: z
    .string()
    .min(32, 'must be at least 32 characters: it grants full support access')
    .optional(),
  /** Password attempts per client IP per minute (0 = no limit). Counted in PostgreSQL, across replicas. */
  LOGIN_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).optional(),
  /** Second-factor attempts per client IP per minute (0 = no limit). */
  MFA_VERIFY_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).optional(),
  /** How long a sign-in may wait for its second factor. */
  MFA_CHALLENGE_TTL_SECONDS: z.coerce.number().int().min(30).max(3_600).default(300),
  /** Wrong codes that kill a challenge (the per-user lockout in mfa counts across challenges). */
  MFA_CHALLENGE_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(5),
};

/**
 * Per-IP limits when not configured. Test stacks (NODE_ENV=test) send every request from 127.0.0.1, so
 * their default is high; a test of the limit itself configures a low one explicitly.
 */
const RATE_LIMIT_DEFAULTS = {
  production: { login: 20, verify: 30 },
  test: { login: 100_000, verify: 100_000 },
} as const;

export type AuthConfig = ReturnType<typeof loadAuthConfig>;

export function loadAuthConfig(env?: Env) {
  const config = loadConfig(authSettings, env);
  const defaults = config.NODE_ENV === 'test' ? RATE_LIMIT_DEFAULTS.test : RATE_LIMIT_DEFAULTS.production;
  return {
    ...config,
    LOGIN_RATE_LIMIT_PER_MINUTE: config.LOGIN_RATE_LIMIT_PER_MINUTE ?? defaults.login,
    MFA_VERIFY_RATE_LIMIT_PER_MINUTE: config.MFA_VERIFY_RATE_LIMIT_PER_MINUTE ?? defaults.verify,
  };
}

export const AUTH_CONFIG = Symbol('AUTH_CONFIG');
