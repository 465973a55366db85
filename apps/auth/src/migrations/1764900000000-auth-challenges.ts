import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AuthChallenges1764900000000 implements MigrationInterface {
  name = 'AuthChallenges1764900000000';

  async up(q: QueryRunner): Promise<void> {
    // The step between password and session for a user with MFA. Spent once; dies after too many wrong codes.
    await q.query(`
      CREATE TABLE auth.challenges (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL,
        account_id uuid NOT NULL,
        role text NOT NULL,
        ip text,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        failed_attempts integer NOT NULL DEFAULT 0,
        spent_at timestamptz,
        dead boolean NOT NULL DEFAULT false
      )`);
    await q.query(`CREATE INDEX challenges_user_open_idx ON auth.challenges (user_id) WHERE spent_at IS NULL AND dead = false`);
    await q.query(`CREATE INDEX challenges_expires_idx ON auth.challenges (expires_at)`);
    // Per-IP fixed-window counters, shared by every replica.
    await q.query(`
      CREATE TABLE auth.rate_limits (
        bucket text NOT NULL,
        key text NOT NULL,
        window_start timestamptz NOT NULL,
        count integer NOT NULL,
        PRIMARY KEY (bucket, key, window_start)
      )`);
    await q.query(`CREATE INDEX rate_limits_window_idx ON auth.rate_limits (window_start)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE auth.rate_limits`);
    await q.query(`DROP TABLE auth.challenges`);
  }
}
