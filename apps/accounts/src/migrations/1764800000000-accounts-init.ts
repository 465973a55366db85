import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AccountsInit1764800000000 implements MigrationInterface {
  name = 'AccountsInit1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE accounts.accounts (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE accounts.users (
        id uuid PRIMARY KEY,
        account_id uuid NOT NULL REFERENCES accounts.accounts(id),
        username text NOT NULL,
        email text NOT NULL,
        role text NOT NULL CHECK (role IN ('holder', 'user')),
        status text NOT NULL CHECK (status IN ('pending', 'active')),
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT users_username_key UNIQUE (username)
      )`);
    await q.query(`CREATE INDEX users_account_username_idx ON accounts.users (account_id, username)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE accounts.users`);
    await q.query(`DROP TABLE accounts.accounts`);
  }
}
