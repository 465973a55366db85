import type { ServiceDatabaseOptions } from '#common';

export const MFA_SCHEMA = 'mfa';

export function mfaDatabase(url: string, poolSize?: number): ServiceDatabaseOptions {
  return {
    url,
    schema: MFA_SCHEMA,
    poolSize,
    entities: [],
    migrations: [],
  };
}
