import type { MigrationInterface, QueryRunner } from 'typeorm';

export class MfaInit1764900000000 implements MigrationInterface {
  name = 'MfaInit1764900000000';

  async up(q: QueryRunner): Promise<void> {
    // A factor's secret is only ever stored sealed (AES-256-GCM, see SecretBox).
    await q.query(`
      CREATE TABLE mfa.factors (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL,
        type text NOT NULL CHECK (type IN ('totp', 'email')),
        status text NOT NULL CHECK (status IN ('pending', 'active')),
        secret_key_id text,
        secret_iv bytea,
        secret_ciphertext bytea,
        secret_tag bytea,
        last_used_step bigint,
        created_at timestamptz NOT NULL DEFAULT now(),
        confirmed_at timestamptz,
        expires_at timestamptz,
        CONSTRAINT factors_pending_expires CHECK (status = 'active' OR expires_at IS NOT NULL)
      )`);
    await q.query(`CREATE UNIQUE INDEX factors_one_active_per_type ON mfa.factors (user_id, type) WHERE status = 'active'`);
    await q.query(`CREATE UNIQUE INDEX factors_one_pending_per_type ON mfa.factors (user_id, type) WHERE status = 'pending'`);
    await q.query(`
      CREATE TABLE mfa.recovery_codes (
        user_id uuid NOT NULL,
        code_hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        used_at timestamptz,
        PRIMARY KEY (user_id, code_hash)
      )`);
    await q.query(`
      CREATE TABLE mfa.user_state (
        user_id uuid PRIMARY KEY,
        consecutive_failures integer NOT NULL DEFAULT 0,
        lock_count integer NOT NULL DEFAULT 0,
        locked_until timestamptz,
        lock_id uuid,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE mfa.user_state`);
    await q.query(`DROP TABLE mfa.recovery_codes`);
    await q.query(`DROP TABLE mfa.factors`);
  }
}
