import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { queryRows } from '../database.js';
import type { EmailCodeScope } from './email-code.js';

export interface IssueLimits {
  resendSeconds: number;
  maxSends: number;
  /** The send count of a scope starts over after this (setup, manage; a challenge dies long before). */
  windowSeconds: number;
}

export type IssueOutcome = { issued: true; sendCount: number } | { issued: false; retryAfterSeconds: number; exhausted: boolean };

export interface StoredEmailCode {
  keyId: string;
  hash: Buffer;
  expiresAt: Date;
  usedAt: Date | null;
  failedAttempts: number;
}

/** Emailed codes. The throttle, the single use and the failure count are each one atomic statement. */
@Injectable()
export class EmailCodeRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Stores a new code for the scope, replacing the previous one, unless the previous was sent less than
   * `resendSeconds` ago or the scope has used up its sends: then nothing changes and the answer says
   * when to come back. Holds under parallel requests on any replica (one upsert with a guard).
   */
  async issue(code: { scope: EmailCodeScope; userId: string; keyId: string; hash: Buffer; now: Date; expiresAt: Date }, limits: IssueLimits): Promise<IssueOutcome> {
    const rows = await queryRows<{ send_count: number }>(
      this.dataSource.manager,
      `INSERT INTO mfa.email_codes AS c (scope, user_id, key_id, code_hash, window_started_at, last_sent_at, send_count, expires_at)
       VALUES ($1, $2, $3, $4, $5, $5, 1, $6)
       ON CONFLICT (scope) DO UPDATE SET
         key_id = EXCLUDED.key_id, code_hash = EXCLUDED.code_hash, last_sent_at = EXCLUDED.last_sent_at,
         expires_at = EXCLUDED.expires_at, failed_attempts = 0, used_at = NULL,
         send_count = CASE WHEN c.window_started_at <= $5::timestamptz - make_interval(secs => $9::float8) THEN 1 ELSE c.send_count + 1 END,
         window_started_at = CASE WHEN c.window_started_at <= $5::timestamptz - make_interval(secs => $9::float8) THEN $5::timestamptz ELSE c.window_started_at END
       WHERE c.user_id = $2
         AND c.last_sent_at <= $5::timestamptz - make_interval(secs => $7::float8)
         AND (c.send_count < $8::int OR c.window_started_at <= $5::timestamptz - make_interval(secs => $9::float8))
       RETURNING send_count`,
      [code.scope, code.userId, code.keyId, code.hash, code.now, code.expiresAt, limits.resendSeconds, limits.maxSends, limits.windowSeconds],
    );
    if (rows[0]) return { issued: true, sendCount: rows[0].send_count };
    const current = await queryRows<{ last_sent_at: Date; send_count: number; window_started_at: Date }>(
      this.dataSource.manager,
      `SELECT last_sent_at, send_count, window_started_at FROM mfa.email_codes WHERE scope = $1`,
      [code.scope],
    );
    const row = current[0];
    const seconds = (until: Date) => Math.max(1, Math.ceil((until.getTime() - code.now.getTime()) / 1000));
    if (!row) return { issued: false, retryAfterSeconds: limits.resendSeconds, exhausted: false };
    if (row.send_count >= limits.maxSends) {
      return { issued: false, exhausted: true, retryAfterSeconds: seconds(new Date(row.window_started_at.getTime() + limits.windowSeconds * 1000)) };
    }
    return { issued: false, exhausted: false, retryAfterSeconds: seconds(new Date(row.last_sent_at.getTime() + limits.resendSeconds * 1000)) };
  }

  async find(scope: EmailCodeScope, userId: string): Promise<StoredEmailCode | null> {
    const rows = await queryRows<{ key_id: string; code_hash: Buffer; expires_at: Date; used_at: Date | null; failed_attempts: number }>(
      this.dataSource.manager,
      `SELECT key_id, code_hash, expires_at, used_at, failed_attempts FROM mfa.email_codes WHERE scope = $1 AND user_id = $2`,
      [scope, userId],
    );
    const row = rows[0];
    return row ? { keyId: row.key_id, hash: row.code_hash, expiresAt: row.expires_at, usedAt: row.used_at, failedAttempts: row.failed_attempts } : null;
  }

  /** Spends the code whose hash was matched: true for exactly one caller, while it is live. */
  async consume(scope: EmailCodeScope, hash: Buffer, now: Date, maxFailures: number): Promise<boolean> {
    const rows = await queryRows(
      this.dataSource.manager,
      `UPDATE mfa.email_codes SET used_at = $3
        WHERE scope = $1 AND code_hash = $2 AND used_at IS NULL AND expires_at > $3 AND failed_attempts < $4
        RETURNING scope`,
      [scope, hash, now, maxFailures],
    );
    return rows.length === 1;
  }

  /** A wrong code against this scope; after `maxFailures` its code no longer works, right or not. */
  async recordFailure(scope: EmailCodeScope): Promise<void> {
    await this.dataSource.query(`UPDATE mfa.email_codes SET failed_attempts = failed_attempts + 1 WHERE scope = $1`, [scope]);
  }

  async deleteAllOfUser(userId: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM mfa.email_codes WHERE user_id = $1`, [userId]);
    if (Math.random() < 0.01) {
      void this.dataSource.query(`DELETE FROM mfa.email_codes WHERE expires_at < now() - interval '1 day'`).catch(() => undefined);
    }
  }
}
