import type { INestMicroservice } from '@nestjs/common';
import { connect } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { bootstrapService, natsServers, PrefixedClientNats, RpcClient } from '#common';
import { AccountsSubjects, AuthSubjects, type CreateUserRequest, type Role, type UserView } from '#contracts';
import { intEnv, intRun, isolatedPrefix } from '#testing';
import { loadAccountsConfig } from '../accounts.config.js';
import { AccountsModule } from '../accounts.module.js';
import { IdempotencyKeySweeper } from '../idempotency/idempotency-key.sweeper.js';
import { requestFingerprint } from '../idempotency/request-fingerprint.js';
import { loadAuthConfig } from '../../../auth/src/auth.config.js';
import { AuthModule } from '../../../auth/src/auth.module.js';
import { PendingUserSweeper } from './create-user.use-case.js';

/**
 * Creating a user with an idempotency key (accounts and auth in-process, real NATS and PostgreSQL): a
 * retry with the key ends in exactly one user whatever happened to the first attempt.
 */
describe('creating a user with an idempotency key', () => {
  const prefix = isolatedPrefix();
  const env = intEnv({ NATS_SUBJECT_PREFIX: prefix, RPC_TIMEOUT_MS: '1500', LOG_LEVEL: 'silent' });
  let accounts: INestMicroservice;
  let auth: INestMicroservice | undefined;
  let rpc: RpcClient;
  let db: pg.Client;

  const startAuth = async () => {
    const authConfig = loadAuthConfig(env);
    auth = await bootstrapService({ name: 'auth', module: AuthModule.forRoot(authConfig), natsUrl: authConfig.NATS_URL, subjectPrefix: prefix, logLevel: 'silent' });
  };

  beforeAll(async () => {
    const accountsConfig = loadAccountsConfig(env);
    accounts = await bootstrapService({ name: 'accounts', module: AccountsModule.forRoot(accountsConfig), natsUrl: accountsConfig.NATS_URL, subjectPrefix: prefix, logLevel: 'silent' });
    rpc = new RpcClient(new PrefixedClientNats(prefix, { servers: natsServers(intRun().natsUrl) }), 5_000);
    await rpc.connect();
    db = new pg.Client({ connectionString: intRun().databaseUrl });
    await db.connect();
  });

  afterAll(async () => {
    await rpc?.close();
    await auth?.close();
    await accounts?.close();
    await db?.end();
  });

  const newAccount = () => rpc.request(AccountsSubjects.createAccount, { name: `Practice ${randomUUID()}`, actor: { type: 'system' } });
  const userRequest = (accountId: string, over: Partial<CreateUserRequest> = {}): CreateUserRequest => {
    const username = over.username ?? `idem-${randomUUID()}`;
    return {
      accountId,
      username,
      password: 'long enough password',
      email: `${username.slice(0, 40)}@example.com`,
      role: 'user' as Role,
      actor: { type: 'system' },
      idempotencyKey: randomUUID(),
      ...over,
    };
  };
  const usersNamed = async (username: string) =>
    (await db.query<{ id: string; status: string }>('SELECT id, status FROM accounts.users WHERE username = $1', [username])).rows;
  const credentialOf = async (userId: string) =>
    (await db.query<{ username: string; password_hash: string }>('SELECT username, password_hash FROM auth.credentials WHERE user_id = $1', [userId])).rows;

  /** What a creation that died right after claiming its key leaves: the key and a pending row (created `ageMinutes` ago). */
  async function leftHalfway(request: CreateUserRequest, ageMinutes = 0): Promise<string> {
    const id = randomUUID();
    await db.query(
      `INSERT INTO accounts.users (id, account_id, username, email, role, status, created_at) VALUES ($1, $2, $3, $4, $5, 'pending', now() - $6 * interval '1 minute')`,
      [id, request.accountId, request.username.normalize('NFC'), request.email, request.role, ageMinutes],
    );
    const fingerprint = requestFingerprint(AccountsSubjects.createUser.name, [request.accountId, request.username, request.email, request.role]);
    await db.query(
      `INSERT INTO accounts.idempotency_keys (actor_scope, key, operation, fingerprint, resource_id, status) VALUES ('system', $1, $2, $3, $4, 'pending')`,
      [request.idempotencyKey, AccountsSubjects.createUser.name, fingerprint, id],
    );
    return id;
  }

  it('keeps the creation for a retry to resume when auth does not answer, and the retry finishes it with the same user', async () => {
    const account = await newAccount();
    const request = userRequest(account.id);
    await expect(rpc.request(AccountsSubjects.createUser, request)).rejects.toMatchObject({ code: expect.stringMatching(/^SERVICE_(UNAVAILABLE|TIMEOUT)$/) });
    const [pending] = await usersNamed(request.username);
    expect(pending).toMatchObject({ status: 'pending' });

    await startAuth();
    const user = await rpc.request(AccountsSubjects.createUser, request);
    expect(user.id).toBe(pending!.id);
    expect(await usersNamed(request.username)).toEqual([{ id: pending!.id, status: 'active' }]);
    expect(await credentialOf(user.id)).toHaveLength(1);
  });

  it('answers a retry after a lost answer with the same user, and creates no second one', async () => {
    const account = await newAccount();
    const request = userRequest(account.id);
    const first = await rpc.request(AccountsSubjects.createUser, request);
    const retried = await rpc.request(AccountsSubjects.createUser, { ...request, password: 'a different password' });
    expect(retried).toEqual(first);
    expect(await usersNamed(request.username)).toEqual([{ id: first.id, status: 'active' }]);
    const keys = await db.query('SELECT status, response FROM accounts.idempotency_keys WHERE key = $1', [request.idempotencyKey]);
    expect(keys.rows).toEqual([{ status: 'completed', response: first }]);
  });

  it('resumes a creation that died after auth stored the credential (pending row, credential present) with the retry', async () => {
    const account = await newAccount();
    const request = userRequest(account.id);
    const id = await leftHalfway(request);
    // auth stored the credential, then the answer (and the accounts replica) were lost.
    await db.query(`INSERT INTO auth.credentials (user_id, username, password_hash) VALUES ($1, $2, 'from the first attempt')`, [id, request.username]);
    const user = await rpc.request(AccountsSubjects.createUser, request);
    expect(user).toEqual({ id, username: request.username, email: request.email, role: 'user', accountId: account.id });
    expect(await usersNamed(request.username)).toEqual([{ id, status: 'active' }]);
    expect((await credentialOf(id))[0]!.password_hash).toMatch(/^\$argon2id\$/);
  });

  it('creates exactly one user for 10 concurrent requests with one key, and answers them all the same', async () => {
    const account = await newAccount();
    const request = userRequest(account.id);
    const answers = await Promise.all(Array.from({ length: 10 }, () => rpc.request(AccountsSubjects.createUser, request)));
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(await usersNamed(request.username)).toEqual([{ id: answers[0]!.id, status: 'active' }]);
    expect(await credentialOf(answers[0]!.id)).toHaveLength(1);
  });

  it('lets one request at a time resume a creation: a retry waits for the row lock another holds', async () => {
    const account = await newAccount();
    const request = userRequest(account.id);
    const id = await leftHalfway(request);
    const holder = new pg.Client({ connectionString: intRun().databaseUrl });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT id FROM accounts.users WHERE id = $1 FOR UPDATE', [id]);
      let settled = false;
      const retry = rpc.request(AccountsSubjects.createUser, request).finally(() => (settled = true));
      await sleep(500);
      expect(settled).toBe(false);
      expect(await usersNamed(request.username)).toEqual([{ id, status: 'pending' }]);
      await holder.query('COMMIT');
      expect((await retry).id).toBe(id);
    } finally {
      await holder.end();
    }
    expect(await usersNamed(request.username)).toEqual([{ id, status: 'active' }]);
  });

  it('lets only one of several concurrent retries resume a halfway creation: auth is asked once', async () => {
    const account = await newAccount();
    const request = userRequest(account.id);
    const id = await leftHalfway(request);
    const watcher = await connect({ servers: natsServers(intRun().natsUrl) });
    let asked = 0;
    const sub = watcher.subscribe(`${prefix}.${AuthSubjects.setCredential.name}`, { callback: () => void asked++ });
    await watcher.flush();
    try {
      const answers = await Promise.all(['first password!', 'second password', 'third password!'].map((password) => rpc.request(AccountsSubjects.createUser, { ...request, password })));
      expect(answers.map((a) => a.id)).toEqual([id, id, id]);
      await watcher.flush();
      expect(asked).toBe(1);
    } finally {
      sub.unsubscribe();
      await watcher.close();
    }
  });

  it('answers 409 CONFLICT when another request holds the creation longer than the service waits, and leaves it pending', async () => {
    const account = await newAccount();
    const request = userRequest(account.id);
    const id = await leftHalfway(request);
    const holder = new pg.Client({ connectionString: intRun().databaseUrl });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT id FROM accounts.users WHERE id = $1 FOR UPDATE', [id]);
      await expect(rpc.request(AccountsSubjects.createUser, request)).rejects.toMatchObject({ code: 'CONFLICT' });
      await holder.query('COMMIT');
    } finally {
      await holder.end();
    }
    expect(await usersNamed(request.username)).toEqual([{ id, status: 'pending' }]);
    expect((await rpc.request(AccountsSubjects.createUser, request)).id).toBe(id);
  });

  it('refuses the same key with a different request (422 IDEMPOTENCY_KEY_REUSED), and leaves the first alone', async () => {
    const account = await newAccount();
    const request = userRequest(account.id);
    const first = await rpc.request(AccountsSubjects.createUser, request);
    for (const changed of [{ email: 'someone.else@example.com' }, { username: `${request.username}-2` }, { role: 'holder' as Role }]) {
      await expect(rpc.request(AccountsSubjects.createUser, { ...request, ...changed })).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    }
    await expect(rpc.request(AccountsSubjects.createAccount, { name: 'Other', actor: { type: 'system' }, idempotencyKey: request.idempotencyKey })).rejects.toMatchObject({
      code: 'IDEMPOTENCY_KEY_REUSED',
    });
    expect(await usersNamed(`${request.username}-2`)).toEqual([]);
    expect(await rpc.request(AccountsSubjects.createUser, request)).toEqual(first);
  });

  it("keeps two callers' keys apart: two holders, and two support keys, with the same key each create their own user", async () => {
    const account = await newAccount();
    const holders: UserView[] = [];
    for (let i = 0; i < 2; i++) holders.push(await rpc.request(AccountsSubjects.createUser, userRequest(account.id, { role: 'holder', idempotencyKey: undefined })));
    const key = randomUUID();
    const actors = [...holders.map((h) => ({ type: 'user' as const, userId: h.id })), { type: 'support' as const, keyId: 'key-a' }, { type: 'support' as const, keyId: 'key-b' }];
    const created = await Promise.all(actors.map((actor) => rpc.request(AccountsSubjects.createUser, userRequest(account.id, { actor, idempotencyKey: key }))));
    expect(new Set(created.map((u) => u.id)).size).toBe(4);
    for (const user of created) expect(await usersNamed(user.username)).toEqual([{ id: user.id, status: 'active' }]);
  });

  it('still refuses a duplicate username without a key (409 USERNAME_TAKEN), and with a fresh key too', async () => {
    const account = await newAccount();
    const request = userRequest(account.id, { idempotencyKey: undefined });
    await rpc.request(AccountsSubjects.createUser, request);
    await expect(rpc.request(AccountsSubjects.createUser, request)).rejects.toMatchObject({ code: 'USERNAME_TAKEN' });
    await expect(rpc.request(AccountsSubjects.createUser, { ...request, idempotencyKey: randomUUID() })).rejects.toMatchObject({ code: 'USERNAME_TAKEN' });
  });

  it('never sweeps a pending row a retry holds; once free, sweeps it with its key, and the key then starts afresh', async () => {
    const account = await newAccount();
    const request = userRequest(account.id);
    const id = await leftHalfway(request, 10);
    const sweeper = accounts.get(PendingUserSweeper);
    const holder = new pg.Client({ connectionString: intRun().databaseUrl });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT id FROM accounts.users WHERE id = $1 FOR UPDATE', [id]);
      await sweeper.sweep();
      expect(await usersNamed(request.username)).toEqual([{ id, status: 'pending' }]);
      await holder.query('COMMIT');
    } finally {
      await holder.end();
    }
    await sweeper.sweep();
    expect(await usersNamed(request.username)).toEqual([]);
    expect((await db.query('SELECT 1 FROM accounts.idempotency_keys WHERE key = $1', [request.idempotencyKey])).rows).toEqual([]);
    const user = await rpc.request(AccountsSubjects.createUser, request);
    expect(user.id).not.toBe(id);
    expect(await usersNamed(request.username)).toEqual([{ id: user.id, status: 'active' }]);
  });

  it('forgets a key after 24 hours: the key then starts a new request, and the sweeper deletes it', async () => {
    const account = await newAccount();
    const request = userRequest(account.id);
    await rpc.request(AccountsSubjects.createUser, request);
    await db.query(`UPDATE accounts.idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = $1`, [request.idempotencyKey]);
    const other = await rpc.request(AccountsSubjects.createUser, { ...request, username: `${request.username}-new` });
    expect(other.username).toBe(`${request.username}-new`);

    const stale = userRequest(account.id);
    await rpc.request(AccountsSubjects.createUser, stale);
    await db.query(`UPDATE accounts.idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = $1`, [stale.idempotencyKey]);
    expect(await accounts.get(IdempotencyKeySweeper).sweep()).toBeGreaterThanOrEqual(1);
    expect((await db.query('SELECT 1 FROM accounts.idempotency_keys WHERE key = $1', [stale.idempotencyKey])).rows).toEqual([]);
  });

  it('answers a retried account creation with the same account, and creates one', async () => {
    const key = randomUUID();
    const name = `Practice ${randomUUID()}`;
    const answers = await Promise.all(Array.from({ length: 5 }, () => rpc.request(AccountsSubjects.createAccount, { name, actor: { type: 'support', keyId: 'key-a' }, idempotencyKey: key })));
    expect(new Set(answers.map((a) => a.id)).size).toBe(1);
    expect((await db.query('SELECT id FROM accounts.accounts WHERE name = $1', [name])).rows).toEqual([{ id: answers[0]!.id }]);
    await expect(rpc.request(AccountsSubjects.createAccount, { name: `${name}!`, actor: { type: 'support', keyId: 'key-a' }, idempotencyKey: key })).rejects.toMatchObject({
      code: 'IDEMPOTENCY_KEY_REUSED',
    });
  });

  it('refuses a malformed key on the NATS payload, naming it', async () => {
    const account = await newAccount();
    for (const idempotencyKey of ['', 'x'.repeat(256), 'caf\u00E9', 'tab\there']) {
      const attempt = rpc.request(AccountsSubjects.createUser, userRequest(account.id, { idempotencyKey }));
      await expect(attempt).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: { problems: [expect.stringMatching(/^idempotencyKey/)] } });
    }
  });
});
