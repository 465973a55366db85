import type { ServiceDatabaseOptions } from '#common';
import { AccountEntity } from './accounts/account.entity.js';
import { AuditEventEntity } from './audit/audit-event.entity.js';
import { IdempotencyKeyEntity } from './idempotency/idempotency-key.entity.js';
import { AccountsInit1764800000000 } from './migrations/1764800000000-accounts-init.js';
import { SecurityPolicyAndAudit1764900000000 } from './migrations/1764900000000-security-policy-and-audit.js';
import { IdempotencyKeys1765100000000 } from './migrations/1765100000000-idempotency-keys.js';
import { SecurityPolicyEntity } from './policy/security-policy.entity.js';
import { UserEntity } from './users/user.entity.js';

export const ACCOUNTS_SCHEMA = 'accounts';

export function accountsDatabase(url: string, poolSize?: number): ServiceDatabaseOptions {
  return {
    url,
    schema: ACCOUNTS_SCHEMA,
    poolSize,
    entities: [AccountEntity, UserEntity, SecurityPolicyEntity, AuditEventEntity, IdempotencyKeyEntity],
    migrations: [AccountsInit1764800000000, SecurityPolicyAndAudit1764900000000, IdempotencyKeys1765100000000],
  };
}
