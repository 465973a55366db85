import type { MigrationInterface, QueryRunner } from 'typeorm';

export class IdempotencyKeys1765100000000 implements MigrationInterface {
  name = 'IdempotencyKeys1765100000000';

  async up(q: QueryRunner): Promise<void> {
    // A caller's Idempotency-Key, scoped to the caller (`support:<keyId>`, `user:<userId>`, `system`), so
    // two callers' keys never collide. `fingerprint` is the SHA-256 of the request without its password;
    // `resource_id` the user or account it creates; `response` the answer once the creation completed
    // (`json`, not `jsonb`: a replay answers the same bytes, fields in the same order).
    await q.query(`
      CREATE TABLE accounts.idempotency_keys (
        actor_scope text NOT NULL,
        key text NOT NULL,
        operation text NOT NULL,
        fingerprint text NOT NULL,
        resource_id uuid NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'completed')),
        response json,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (actor_scope, key)
      )`);
    // The pending-user sweeper removes a creation's key with its row; the key sweeper expires by age.
    await q.query(`CREATE INDEX idempotency_keys_resource_idx ON accounts.idempotency_keys (resource_id)`);
    await q.query(`CREATE INDEX idempotency_keys_created_idx ON accounts.idempotency_keys (created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE accounts.idempotency_keys`);
  }
}
