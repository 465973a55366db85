import type { EntityManager } from 'typeorm';
import type { ServiceDatabaseOptions } from '#common';
import { FactorEntity } from './factors/factor.entity.js';
import { MfaInit1764900000000 } from './migrations/1764900000000-mfa-init.js';
import { MfaEmailCodes1765200000000 } from './migrations/1765200000000-mfa-email-codes.js';
import { RecoveryCodeEntity } from './recovery-codes/recovery-code.entity.js';
import { UserStateEntity } from './verification/user-state.entity.js';

export const MFA_SCHEMA = 'mfa';

export function mfaDatabase(url: string, poolSize?: number): ServiceDatabaseOptions {
  return {
    url,
    schema: MFA_SCHEMA,
    poolSize,
    entities: [FactorEntity, RecoveryCodeEntity, UserStateEntity],
    migrations: [MfaInit1764900000000, MfaEmailCodes1765200000000],
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
