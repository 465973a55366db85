import { openDatabase } from '#common';
import { authDatabase } from '../database.js';
import { generateSupportKey, hashSupportKey } from './support-key.js';
import { SupportKeyEntity } from './support-key.entity.js';

/**
 * Operator tooling (`npm run support:key`, the demo seed): creates a support key straight in the auth
 * schema and returns the plaintext once. Only its hash is stored. Two connections: `migrate` holds one
 * (the advisory lock) while the migrations run on the other.
 */
export async function mintSupportKey(databaseUrl: string, label: string): Promise<{ keyId: string; key: string }> {
  const dataSource = await openDatabase(authDatabase(databaseUrl, 2));
  try {
    const { id, key } = generateSupportKey();
    await dataSource.getRepository(SupportKeyEntity).insert({ id, label: label.slice(0, 200), keyHash: hashSupportKey(key), revokedAt: null });
    return { keyId: id, key };
  } finally {
    await dataSource.destroy();
  }
}
