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
  LOGIN_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).default(20),
  /** Second-factor attempts per client IP per minute (0 = no limit). */
  MFA_VERIFY_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).default(30),
  /** How long a sign-in may wait for its second factor. */
  MFA_CHALLENGE_TTL_SECONDS: z.coerce.number().int().min(30).max(3_600).default(300),
  /** Wrong codes that kill a challenge (the per-user lockout in mfa counts across challenges). */
  MFA_CHALLENGE_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(5),
};

export type AuthConfig = ReturnType<typeof loadAuthConfig>;

export function loadAuthConfig(env?: Env) {
  return loadConfig(authSettings, env);
}

export const AUTH_CONFIG = Symbol('AUTH_CONFIG');
