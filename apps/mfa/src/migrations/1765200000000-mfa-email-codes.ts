import type { MigrationInterface, QueryRunner } from 'typeorm';

export class MfaEmailCodes1765200000000 implements MigrationInterface {
  name = 'MfaEmailCodes1765200000000';

  async up(q: QueryRunner): Promise<void> {
    // One live emailed code per scope ('challenge:<id>', 'setup:<userId>', 'manage:<userId>'): a resend
    // replaces it. Only an HMAC of the code is stored (keyed from the keyring, bound to scope and user),
    // so a copy of the database does not give the codes away.
    await q.query(`
      CREATE TABLE mfa.email_codes (
        scope text PRIMARY KEY,
        user_id uuid NOT NULL,
        key_id text NOT NULL,
        code_hash bytea NOT NULL,
        window_started_at timestamptz NOT NULL,
        last_sent_at timestamptz NOT NULL,
        send_count integer NOT NULL,
        expires_at timestamptz NOT NULL,
        failed_attempts integer NOT NULL DEFAULT 0,
        used_at timestamptz
      )`);
    await q.query(`CREATE INDEX email_codes_user_idx ON mfa.email_codes (user_id)`);
    await q.query(`CREATE INDEX email_codes_expires_idx ON mfa.email_codes (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE mfa.email_codes`);
  }
}
