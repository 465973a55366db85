import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import type { DataSource, EntityManager, Repository } from 'typeorm';
import type { UserEntity } from '../users/user.entity.js';
import { SecurityPolicyEntity } from './security-policy.entity.js';

export type PolicyFields = Pick<SecurityPolicyEntity, 'mfaRequired' | 'allowEmailCodes' | 'ipSafelist'>;

/** The policy of an account that never changed it. */
export function defaultPolicy(accountId: string): SecurityPolicyEntity {
  return Object.assign(new SecurityPolicyEntity(), {
    accountId,
    mfaRequired: false,
    allowEmailCodes: true,
    ipSafelist: [],
    version: 0,
    updatedAt: new Date(0),
  });
}

export interface UserPolicy {
  userId: string;
  accountId: string;
  mfaRequired: boolean;
  allowEmailCodes: boolean;
}

@Injectable()
export class SecurityPolicyRepository {
  constructor(
    @InjectRepository(SecurityPolicyEntity) private readonly repo: Repository<SecurityPolicyEntity>,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /** The active user with their account's policy (the default one if never saved), in one query. */
  findSignInContext(userId: string): Promise<SignInRow | null> {
    return findSignInContext(this.repo, userId);
  }

  async findByAccount(accountId: string): Promise<SecurityPolicyEntity> {
    return (await this.repo.findOneBy({ accountId })) ?? defaultPolicy(accountId);
  }

  /**
   * Replaces an account's policy. Runs `decide` on the current row locked FOR UPDATE, so concurrent
   * changes are serialised and the before/after each one sees is exact; `decide` may throw to refuse,
   * and may write more (the audit record) in the same transaction through the manager it gets.
   */
  async replace(
    accountId: string,
    next: PolicyFields,
    decide: (current: SecurityPolicyEntity, manager: EntityManager) => Promise<void>,
  ): Promise<{ before: SecurityPolicyEntity; after: SecurityPolicyEntity }> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(
        `INSERT INTO accounts.security_policies (account_id) VALUES ($1) ON CONFLICT (account_id) DO NOTHING`,
        [accountId],
      );
      const rows: Array<Record<string, unknown>> = await manager.query(
        `SELECT * FROM accounts.security_policies WHERE account_id = $1 FOR UPDATE`,
        [accountId],
      );
      const before = fromRow(rows[0]!);
      await decide(before, manager);
      const updated: [Array<Record<string, unknown>>, number] = await manager.query(
        `UPDATE accounts.security_policies
            SET mfa_required = $2, allow_email_codes = $3, ip_safelist = $4::text[], version = version + 1, updated_at = now()
          WHERE account_id = $1
        RETURNING *`,
        [accountId, next.mfaRequired, next.allowEmailCodes, next.ipSafelist],
      );
      return { before, after: fromRow(updated[0][0]!) };
    });
  }

  /** The user's account and whether it requires MFA, in one indexed query; null for no active user. */
  async findForUser(userId: string): Promise<UserPolicy | null> {
    const rows: Array<{ account_id: string; mfa_required: boolean | null; allow_email_codes: boolean | null }> = await this.repo.query(
      `SELECT u.account_id, p.mfa_required, p.allow_email_codes
         FROM accounts.users u
         LEFT JOIN accounts.security_policies p ON p.account_id = u.account_id
        WHERE u.id = $1 AND u.status = 'active'`,
      [userId],
    );
    const row = rows[0];
    return row ? { userId, accountId: row.account_id, mfaRequired: row.mfa_required ?? false, allowEmailCodes: row.allow_email_codes ?? true } : null;
  }
}

/**
 * The active user and their account's policy (the default one if the account never saved one), in one
 * query; null if there is no such active user.
 */
async function findSignInContext(repo: Repository<SecurityPolicyEntity>, userId: string): Promise<SignInRow | null> {
  const rows: Array<Record<string, unknown>> = await repo.query(
    `SELECT u.id, u.username, u.email, u.role, u.account_id AS user_account_id,
            p.account_id, p.mfa_required, p.allow_email_codes, p.ip_safelist, p.version, p.updated_at
       FROM accounts.users u
       LEFT JOIN accounts.security_policies p ON p.account_id = u.account_id
      WHERE u.id = $1 AND u.status = 'active'`,
    [userId],
  );
  const row = rows[0];
  if (!row) return null;
  const accountId = row.user_account_id as string;
  return {
    user: { id: row.id as string, username: row.username as string, email: row.email as string, role: row.role as UserEntityFields['role'], accountId },
    policy: row.account_id === null ? defaultPolicy(accountId) : fromRow(row),
  };
}

export type UserEntityFields = Pick<UserEntity, 'id' | 'username' | 'email' | 'role' | 'accountId'>;
export interface SignInRow {
  user: UserEntityFields;
  policy: SecurityPolicyEntity;
}

function fromRow(row: Record<string, unknown>): SecurityPolicyEntity {
  return Object.assign(new SecurityPolicyEntity(), {
    accountId: row.account_id as string,
    mfaRequired: row.mfa_required as boolean,
    allowEmailCodes: row.allow_email_codes as boolean,
    ipSafelist: (row.ip_safelist as string[]) ?? [],
    version: Number(row.version),
    updatedAt: row.updated_at as Date,
  });
}
