import type { EntityManager } from 'typeorm';
import type { ServiceDatabaseOptions } from '#common';
import { ChallengeEntity } from './challenges/challenge.entity.js';
import { CredentialEntity } from './credentials/credential.entity.js';
import { AuthInit1764800000000 } from './migrations/1764800000000-auth-init.js';
import { AuthChallenges1764900000000 } from './migrations/1764900000000-auth-challenges.js';
import { AuthSetupTokens1765000000000 } from './migrations/1765000000000-auth-setup-tokens.js';
import { SessionEntity } from './sessions/session.entity.js';
import { SetupTokenEntity } from './setup-tokens/setup-token.entity.js';
import { SupportKeyEntity } from './support-keys/support-key.entity.js';

export const AUTH_SCHEMA = 'auth';

export function authDatabase(url: string, poolSize?: number): ServiceDatabaseOptions {
  return {
    url,
    schema: AUTH_SCHEMA,
    poolSize,
    entities: [CredentialEntity, SessionEntity, SupportKeyEntity, ChallengeEntity, SetupTokenEntity],
    migrations: [AuthInit1764800000000, AuthChallenges1764900000000, AuthSetupTokens1765000000000],
  };
}

/**
 * Rows of a raw statement. TypeORM answers `[rows, rowCount]` for UPDATE and DELETE but plain rows
 * for SELECT and INSERT; the repositories' atomic `… RETURNING` statements want rows either way.
 */
export async function queryRows<T>(manager: EntityManager, sql: string, parameters: unknown[] = []): Promise<T[]> {
  const result: unknown = await manager.query(sql, parameters);
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as T[];
  return result as T[];
}
