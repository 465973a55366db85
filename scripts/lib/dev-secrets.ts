import { generateEncryptionKeyring, generateJwtPrivateKey, randomToken } from '#testing';
import { readJson, statePath, writePrivateJson } from './paths.js';

/** Development secrets, generated on the first `npm start` and kept in .twofold/secrets.json (0600). */
export interface DevSecrets {
  JWT_PRIVATE_KEY: string;
  MFA_ENCRYPTION_KEYS: string;
  /** Password of the `postgres` superuser of the embedded PostgreSQL. */
  EMBEDDED_POSTGRES_PASSWORD: string;
}

export const SECRETS_FILE = statePath('secrets.json');

export function loadDevSecrets(): DevSecrets {
  const stored = readJson<Partial<DevSecrets>>(SECRETS_FILE) ?? {};
  const secrets: DevSecrets = {
    JWT_PRIVATE_KEY: stored.JWT_PRIVATE_KEY ?? generateJwtPrivateKey(),
    MFA_ENCRYPTION_KEYS: stored.MFA_ENCRYPTION_KEYS ?? generateEncryptionKeyring(),
    EMBEDDED_POSTGRES_PASSWORD: stored.EMBEDDED_POSTGRES_PASSWORD ?? randomToken(18),
  };
  if (JSON.stringify(stored) !== JSON.stringify(secrets)) writePrivateJson(SECRETS_FILE, secrets);
  return secrets;
}
