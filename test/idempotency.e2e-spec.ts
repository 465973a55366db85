import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import pg from 'pg';
import { api, createAccount, createHolderAccount, e2eStack, login, strongPassword, uniqueSuffix } from '#testing';
import { requestFingerprint } from '../apps/accounts/src/idempotency/request-fingerprint.js';

const OPERATION = 'accounts.users.create';

/**
 * `Idempotency-Key` on the creation routes, over HTTP through the gateway with every service up: a client
 * that retries with its key ends with exactly one user (or account) and the same answer every time.
 */
describe('retrying creations with an Idempotency-Key', () => {
  const stack = e2eStack();
  const http = api(stack.baseUrl);
  let db: pg.Client;

  beforeAll(async () => {
    db = new pg.Client({ connectionString: stack.databaseUrl });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
  });

  const supportUsers = (accountId: string) => `/api/v1/support/accounts/${accountId}/users`;
  const holderUsers = (accountId: string) => `/api/v1/accounts/${accountId}/users`;
  const newUserBody = (over: Record<string, string> = {}) => {
    const username = `idem-${uniqueSuffix(10)}`;
    return { username, password: strongPassword(), email: `${username}@example.com`, role: 'user', ...over };
  };
  const usersNamed = async (username: string) => (await db.query('SELECT id, status FROM accounts.users WHERE username = $1', [username])).rows;

  const holderOfNewAccount = () => createHolderAccount(stack);

  it('answers a retry after a lost answer with the same 201 body and creates no second user, on both user routes', async () => {
    const { accountId, token } = await holderOfNewAccount();
    for (const [path, auth] of [
      [supportUsers(accountId), { apiKey: stack.supportKey }],
      [holderUsers(accountId), { token }],
    ] as const) {
      const key = randomUUID();
      const body = newUserBody();
      const first = await http.post(path, body, { ...auth, headers: { 'Idempotency-Key': key } });
      expect(first.status).toBe(201);
      const retried = await http.post(path, body, { ...auth, headers: { 'Idempotency-Key': key } });
      expect({ status: retried.status, body: retried.body }).toEqual({ status: 201, body: first.body });
      expect(await usersNamed(body.username)).toEqual([{ id: first.body.id, status: 'active' }]);
      expect((await login(stack, body.username, body.password)).status).toBe('authenticated');
    }
  });

  it('finishes a creation that died between its steps when the holder retries with the key; the user then signs in', async () => {
    const { accountId, holder, token } = await holderOfNewAccount();
    const key = `retry-${uniqueSuffix(8)}`;
    const body = newUserBody();
    // What a replica killed right after claiming the key leaves behind: the key and a pending row, claimed together.
    const id = randomUUID();
    await db.query('BEGIN');
    await db.query(`INSERT INTO accounts.users (id, account_id, username, email, role, status) VALUES ($1, $2, $3, $4, 'user', 'pending')`, [id, accountId, body.username, body.email]);
    await db.query(
      `INSERT INTO accounts.idempotency_keys (actor_scope, key, operation, fingerprint, resource_id, status) VALUES ($1, $2, $3, $4, $5, 'pending')`,
      [`user:${holder.id}`, key, OPERATION, requestFingerprint(OPERATION, [accountId, body.username, body.email, 'user']), id],
    );
    await db.query('COMMIT');
    const resumed = await http.post(holderUsers(accountId), body, { token, headers: { 'Idempotency-Key': key } });
    expect(resumed.status).toBe(201);
    expect(resumed.body).toEqual({ id, username: body.username, email: body.email, role: 'user', accountId });
    expect(await usersNamed(body.username)).toEqual([{ id, status: 'active' }]);
    expect((await login(stack, body.username, body.password)).status).toBe('authenticated');
  });

  it('creates exactly one user for 10 concurrent requests with one key, all answered with the same bytes', async () => {
    const account = await createAccount(stack);
    const key = randomUUID();
    const body = newUserBody();
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        fetch(`${stack.baseUrl}${supportUsers(account.id)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': stack.supportKey, 'idempotency-key': key },
          body: JSON.stringify(body),
        }).then(async (r) => ({ status: r.status, text: await r.text() })),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 201));
    expect(new Set(answers.map((a) => a.text)).size).toBe(1);
    expect(await usersNamed(body.username)).toEqual([{ id: JSON.parse(answers[0]!.text).id, status: 'active' }]);
  });

  it('refuses the same key with a different body: 422 IDEMPOTENCY_KEY_REUSED, nothing created', async () => {
    const account = await createAccount(stack);
    const key = randomUUID();
    const body = newUserBody();
    expect((await http.post(supportUsers(account.id), body, { apiKey: stack.supportKey, headers: { 'Idempotency-Key': key } })).status).toBe(201);
    const other = { ...body, username: `${body.username}-2`, email: `2-${body.email}` };
    const reused = await http.post(supportUsers(account.id), other, { apiKey: stack.supportKey, headers: { 'Idempotency-Key': key } });
    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(reused.body.error.message).toMatch(/Idempotency-Key was already used for a different request/);
    expect(await usersNamed(other.username)).toEqual([]);
  });

  it("keeps two holders' keys apart: the same key creates a user for each", async () => {
    const a = await holderOfNewAccount();
    const b = await holderOfNewAccount();
    const key = 'the-same-key-for-both';
    const [fromA, fromB] = await Promise.all(
      [a, b].map((h) => http.post(holderUsers(h.accountId), newUserBody(), { token: h.token, headers: { 'Idempotency-Key': key } })),
    );
    expect([fromA!.status, fromB!.status]).toEqual([201, 201]);
    expect(fromA!.body.id).not.toBe(fromB!.body.id);
    expect([fromA!.body.accountId, fromB!.body.accountId]).toEqual([a.accountId, b.accountId]);
  });

  it('without a key a duplicate username is still 409 USERNAME_TAKEN', async () => {
    const account = await createAccount(stack);
    const body = newUserBody();
    expect((await http.post(supportUsers(account.id), body, { apiKey: stack.supportKey })).status).toBe(201);
    const again = await http.post(supportUsers(account.id), body, { apiKey: stack.supportKey });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('USERNAME_TAKEN');
  });

  it('answers a retried account creation with the same account', async () => {
    const key = randomUUID();
    const name = `Practice ${uniqueSuffix(8)}`;
    const first = await http.post('/api/v1/support/accounts', { name }, { apiKey: stack.supportKey, headers: { 'Idempotency-Key': key } });
    const again = await http.post('/api/v1/support/accounts', { name }, { apiKey: stack.supportKey, headers: { 'Idempotency-Key': key } });
    expect(first.status).toBe(201);
    expect({ status: again.status, body: again.body }).toEqual({ status: 201, body: first.body });
    expect((await db.query('SELECT count(*)::int AS n FROM accounts.accounts WHERE name = $1', [name])).rows).toEqual([{ n: 1 }]);
  });

  it('refuses a malformed Idempotency-Key with 400 VALIDATION_FAILED naming the header, on every route that takes one', async () => {
    const { accountId, token } = await holderOfNewAccount();
    const routes = [
      { path: '/api/v1/support/accounts', body: { name: 'Nope' }, auth: { apiKey: stack.supportKey } },
      { path: supportUsers(accountId), body: newUserBody(), auth: { apiKey: stack.supportKey } },
      { path: holderUsers(accountId), body: newUserBody(), auth: { token } },
    ];
    for (const route of routes) {
      for (const value of ['', 'x'.repeat(256), 'caf\u00E9', 'tab\there']) {
        const response = await http.post(route.path, route.body, { ...route.auth, headers: { 'Idempotency-Key': value } });
        expect({ path: route.path, value, status: response.status, code: response.body.error?.code }).toEqual({ path: route.path, value, status: 400, code: 'VALIDATION_FAILED' });
        expect(response.body.error.details.problems).toEqual([expect.stringMatching(/^Idempotency-Key: /)]);
      }
    }
    const twice = await new Promise<{ status: number; body: any }>((resolve, reject) => {
      const url = new URL(`${stack.baseUrl}/api/v1/support/accounts`);
      const req = httpRequest(
        { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': stack.supportKey, 'idempotency-key': ['a', 'b'] } },
        (res) => {
          let text = '';
          res.on('data', (chunk) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ name: 'Twice' }));
    });
    expect(twice.status).toBe(400);
    expect(twice.body.error.details.problems).toEqual(['Idempotency-Key: must be sent once']);
    // Printable ASCII up to 255 characters is fine.
    const longest = await http.post('/api/v1/support/accounts', { name: 'Longest key' }, { apiKey: stack.supportKey, headers: { 'Idempotency-Key': `!~ ${'k'.repeat(252)}` } });
    expect(longest.status).toBe(201);
  });

  it('documents the header in OpenAPI on the three creation routes', async () => {
    const doc = (await http.get('/docs/openapi.json')).body;
    for (const path of ['/api/v1/support/accounts', '/api/v1/support/accounts/{accountId}/users', '/api/v1/accounts/{accountId}/users']) {
      const parameters = doc.paths[path].post.parameters as Array<{ name: string; in: string; required?: boolean }>;
      expect({ path, header: parameters.find((p) => p.name === 'Idempotency-Key') }).toMatchObject({ path, header: { in: 'header', required: false } });
    }
  });
});
