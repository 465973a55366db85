import type { MigrationInterface, QueryRunner } from 'typeorm';

export class SecurityPolicyAndAudit1764900000000 implements MigrationInterface {
  name = 'SecurityPolicyAndAudit1764900000000';

  async up(q: QueryRunner): Promise<void> {
    // One row per account, created on first change; an account without one has the default policy.
    await q.query(`
      CREATE TABLE accounts.security_policies (
        account_id uuid PRIMARY KEY REFERENCES accounts.accounts(id),
        mfa_required boolean NOT NULL DEFAULT false,
        allow_email_codes boolean NOT NULL DEFAULT true,
        ip_safelist text[] NOT NULL DEFAULT '{}',
        version integer NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT security_policies_safelist_size CHECK (cardinality(ip_safelist) <= 100)
      )`);
    // Rows from other services' events carry their JetStream position (stream incarnation + sequence,
    // unique: a redelivery inserts nothing); rows for accounts' own facts are written in the transaction
    // that made the change and have none.
    await q.query(`
      CREATE TABLE accounts.audit_events (
        id bigserial PRIMARY KEY,
        source_stream text,
        source_seq bigint,
        account_id uuid,
        type text NOT NULL,
        actor_type text,
        actor_id text,
        target_user_id uuid,
        ip text,
        occurred_at timestamptz NOT NULL,
        details jsonb NOT NULL DEFAULT '{}'::jsonb,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT audit_events_source_key UNIQUE (source_stream, source_seq)
      )`);
    // The holder's user list: by account, in code-point order of the username.
    await q.query(`CREATE INDEX users_account_username_c_idx ON accounts.users (account_id, username COLLATE "C") WHERE status = 'active'`);
    await q.query(`CREATE INDEX audit_events_account_time_idx ON accounts.audit_events (account_id, occurred_at DESC, id DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE accounts.audit_events`);
    await q.query(`DROP INDEX accounts.users_account_username_c_idx`);
    await q.query(`DROP TABLE accounts.security_policies`);
  }
}
