import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AuthInit1764800000000 implements MigrationInterface {
  name = 'AuthInit1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE auth.credentials (
        user_id uuid PRIMARY KEY,
        username text NOT NULL,
        password_hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT credentials_username_key UNIQUE (username)
      )`);
    await q.query(`
      CREATE TABLE auth.sessions (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL,
        account_id uuid NOT NULL,
        amr text[] NOT NULL,
        ip text,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz
      )`);
    await q.query(`CREATE INDEX sessions_user_active_idx ON auth.sessions (user_id) WHERE revoked_at IS NULL`);
    await q.query(`
      CREATE TABLE auth.support_keys (
        id text PRIMARY KEY,
        label text NOT NULL,
        key_hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        CONSTRAINT support_keys_key_hash_key UNIQUE (key_hash)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE auth.support_keys`);
    await q.query(`DROP TABLE auth.sessions`);
    await q.query(`DROP TABLE auth.credentials`);
  }
}
