import { DataSource } from 'typeorm';
import { openDatabase } from '#common';
import { mfaDatabase } from '../database.js';
import { FactorEntity } from './factor.entity.js';
import { FactorRepository, sealedOf } from './factor.repository.js';
import { RecoveryCodeEntity } from '../recovery-codes/recovery-code.entity.js';
import { RecoveryCodeRepository } from '../recovery-codes/recovery-code.repository.js';
import { SecretBox, type Keyring } from './secret-box.js';

export interface RekeyResult {
  currentKeyId: string;
  resealed: number;
}

/**
 * Re-encrypts every TOTP secret that is not under the current key (the first of the keyring), one row
 * at a time under a row lock. Safe to run while the service runs, and to run again.
 */
export async function rekeyFactors(dataSource: DataSource, keyring: Keyring): Promise<RekeyResult> {
  const box = new SecretBox({ MFA_ENCRYPTION_KEYS: keyring });
  const factors = new FactorRepository(dataSource.getRepository(FactorEntity), new RecoveryCodeRepository(dataSource.getRepository(RecoveryCodeEntity)));
  let resealed = 0;
  for (const id of await factors.idsSealedUnderOtherKeys(box.currentKeyId)) {
    const done = await factors.reseal(id, (factor) => {
      if (factor.secretKeyId === box.currentKeyId) return undefined;
      const secret = box.open(sealedOf(factor), factor.id, factor.userId);
      try {
        return box.seal(secret, factor.id, factor.userId);
      } finally {
        secret.fill(0);
      }
    });
    if (done) resealed++;
  }
  return { currentKeyId: box.currentKeyId, resealed };
}

export async function rekeyDatabase(databaseUrl: string, keyring: Keyring): Promise<RekeyResult> {
  // Two connections: migrate() holds one for its advisory lock while the migrations run on another.
  const dataSource = await openDatabase(mfaDatabase(databaseUrl, 2));
  try {
    return await rekeyFactors(dataSource, keyring);
  } finally {
    await dataSource.destroy();
  }
}
