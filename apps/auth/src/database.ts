import type { ServiceDatabaseOptions } from '#common';
import { CredentialEntity } from './credentials/credential.entity.js';
import { AuthInit1764800000000 } from './migrations/1764800000000-auth-init.js';
import { SessionEntity } from './sessions/session.entity.js';
import { SupportKeyEntity } from './support-keys/support-key.entity.js';

export const AUTH_SCHEMA = 'auth';

export function authDatabase(url: string, poolSize?: number): ServiceDatabaseOptions {
  return {
    url,
    schema: AUTH_SCHEMA,
    poolSize,
    entities: [CredentialEntity, SessionEntity, SupportKeyEntity],
    migrations: [AuthInit1764800000000],
  };
}
