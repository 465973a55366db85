/**
 * `npm run mfa:rekey`: re-encrypts every TOTP secret under the current key (the first entry of
 * MFA_ENCRYPTION_KEYS). Rotate a key by putting the new one first, keeping the old ones listed, running
 * this, then dropping the old ones. Needs DATABASE_URL and MFA_ENCRYPTION_KEYS, as the mfa service does.
 */
import { loadMfaConfig } from '../apps/mfa/src/mfa.config.js';
import { rekeyDatabase } from '../apps/mfa/src/factors/rekey.js';

async function main(): Promise<void> {
  let config: ReturnType<typeof loadMfaConfig>;
  try {
    config = loadMfaConfig();
  } catch (err) {
    process.stderr.write(`mfa:rekey: ${(err as Error).message}\n`);
    process.exit(2);
  }
  try {
    const { currentKeyId, resealed } = await rekeyDatabase(config.DATABASE_URL, config.MFA_ENCRYPTION_KEYS);
    process.stdout.write(`Re-encrypted ${resealed} TOTP secret(s) under key "${currentKeyId}".\n`);
  } catch (err) {
    process.stderr.write(`mfa:rekey failed: ${(err as Error).message}\n`);
    process.exit(1);
  }
}

void main();
