import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AuthSetupTokens1765000000000 implements MigrationInterface {
  name = 'AuthSetupTokens1765000000000';

  async up(q: QueryRunner): Promise<void> {
    // The step between password and session for a user who must set MFA up first. Only the SHA-256 of
    // the token is kept (256 random bits: no slow hash needed); spent once, by the confirmation.
    await q.query(`
      CREATE TABLE auth.setup_tokens (
        id uuid PRIMARY KEY,
        token_hash text NOT NULL,
        user_id uuid NOT NULL,
        account_id uuid NOT NULL,
        role text NOT NULL,
        ip text,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        spent_at timestamptz,
        CONSTRAINT setup_tokens_token_hash_key UNIQUE (token_hash)
      )`);
    await q.query(`CREATE INDEX setup_tokens_expires_idx ON auth.setup_tokens (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE auth.setup_tokens`);
  }
}
