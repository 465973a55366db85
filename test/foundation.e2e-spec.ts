import { accessToken, api, createAccount, createUser, e2eStack, login, uniqueSuffix } from '#testing';

/** The foundation's contract, over HTTP through the gateway with all four services running. */
describe('foundation: provisioning, sign-in and sessions', () => {
  const stack = e2eStack();
  const http = api(stack.baseUrl);

  it('provisions an account and users with a support key, and the holder signs in', async () => {
    const account = await createAccount(stack);
    const holder = await createUser(stack, account.id, { role: 'holder' });
    const result = await login(stack, holder.username, holder.password);
    expect(result).toMatchObject({ status: 'authenticated', accessToken: expect.any(String), expiresIn: expect.any(Number) });

    const me = await http.get('/api/v1/me', { token: result.accessToken });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ id: holder.id, username: holder.username, email: holder.email, accountId: account.id, role: 'holder' });
  });

  it('puts sub, sid, account, role and RFC 8176 amr in the access token', async () => {
    const account = await createAccount(stack);
    const user = await createUser(stack, account.id);
    const token = await accessToken(stack, user.username, user.password);
    const [header, payload] = token.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
    expect(header).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt' });
    expect(payload).toMatchObject({ sub: user.id, acc: account.id, role: 'user', amr: ['pwd'], sid: expect.any(String) });
    expect(payload.exp - payload.iat).toBeLessThanOrEqual(900);
  });

  it('accepts usernames with accents, punctuation and other scripts, matched after NFC', async () => {
    const account = await createAccount(stack);
    const suffix = uniqueSuffix(6);
    const decomposed = `Zoe\u0308 O'Brien-Nu\u0301n\u0303ez!@%_${suffix}`;
    const user = await createUser(stack, account.id, { username: decomposed });
    expect(user.username).toBe(decomposed.normalize('NFC'));
    expect((await login(stack, decomposed, user.password)).status).toBe('authenticated');
    expect((await login(stack, decomposed.normalize('NFC'), user.password)).status).toBe('authenticated');
    const wrongCase = await http.post('/api/v1/auth/login', { username: user.username.toUpperCase(), password: user.password });
    expect(wrongCase.status).toBe(401);
  });

  it('refuses a username that is already taken, in any account', async () => {
    const [a, b] = [await createAccount(stack), await createAccount(stack)];
    const user = await createUser(stack, a.id);
    const again = await http.post(
      `/api/v1/support/accounts/${b.id}/users`,
      { username: user.username, password: 'another long password', email: 'x@example.com', role: 'user' },
      { apiKey: stack.supportKey },
    );
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('USERNAME_TAKEN');
  });

  it('answers an unknown user and a wrong password identically', async () => {
    const account = await createAccount(stack);
    const user = await createUser(stack, account.id);
    const wrong = await http.post('/api/v1/auth/login', { username: user.username, password: 'not the password' });
    const unknown = await http.post('/api/v1/auth/login', { username: `nobody-${uniqueSuffix()}`, password: 'not the password' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const strip = (body: { error: { requestId?: string } }) => ({ ...body.error, requestId: undefined });
    expect(strip(unknown.body)).toEqual(strip(wrong.body));
    expect(wrong.body.error.code).toBe('INVALID_CREDENTIALS');
  });

  it('refuses the tokens of a logged-out session at once', async () => {
    const account = await createAccount(stack);
    const user = await createUser(stack, account.id);
    const token = await accessToken(stack, user.username, user.password);
    const other = await accessToken(stack, user.username, user.password);
    expect((await http.get('/api/v1/me', { token })).status).toBe(200);

    expect((await http.post('/api/v1/auth/logout', undefined, { token })).status).toBe(204);
    const after = await http.get('/api/v1/me', { token });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('SESSION_REVOKED');
    expect((await http.post('/api/v1/auth/logout', undefined, { token })).status).toBe(401);
    // Other sessions of the same user are untouched.
    expect((await http.get('/api/v1/me', { token: other })).status).toBe(200);
  });

  it('refuses forged, tampered and missing tokens', async () => {
    const account = await createAccount(stack);
    const user = await createUser(stack, account.id);
    const token = await accessToken(stack, user.username, user.password);
    const [h, p, s] = token.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
    const elevated = Buffer.from(JSON.stringify({ ...claims, role: 'holder' })).toString('base64url');
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url')}.${p}.`;
    for (const bad of [`${h}.${elevated}.${s}`, unsigned, 'garbage', `${h}.${p}.${s!.slice(0, -4)}AAAA`]) {
      const response = await http.get('/api/v1/me', { token: bad });
      expect(response.status).toBe(401);
      expect(['TOKEN_INVALID', 'UNAUTHENTICATED']).toContain(response.body.error.code);
    }
    expect((await http.get('/api/v1/me')).body.error.code).toBe('UNAUTHENTICATED');
  });

  it('lets a holder create users in their own account only', async () => {
    const [mine, theirs] = [await createAccount(stack), await createAccount(stack)];
    const holder = await createUser(stack, mine.id, { role: 'holder' });
    const token = await accessToken(stack, holder.username, holder.password);
    const body = (name: string) => ({ username: `${name}-${uniqueSuffix()}`, password: 'a long enough password', email: 'u@example.com', role: 'user' });

    const own = await http.post(`/api/v1/accounts/${mine.id}/users`, body('own'), { token });
    expect(own.status).toBe(201);
    expect(own.body).toMatchObject({ accountId: mine.id, role: 'user' });

    const cross = await http.post(`/api/v1/accounts/${theirs.id}/users`, body('cross'), { token });
    expect(cross.status).toBe(404);
    expect(cross.body.error.code).toBe('ACCOUNT_NOT_FOUND');
  });

  it('does not let a plain user create users', async () => {
    const account = await createAccount(stack);
    const user = await createUser(stack, account.id);
    const token = await accessToken(stack, user.username, user.password);
    const response = await http.post(
      `/api/v1/accounts/${account.id}/users`,
      { username: `x-${uniqueSuffix()}`, password: 'a long enough password', email: 'u@example.com', role: 'holder' },
      { token },
    );
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('FORBIDDEN');
  });

  it('refuses support routes without a valid support key', async () => {
    for (const apiKey of [undefined, 'tfsk_wrong', 'x'.repeat(300)]) {
      const response = await http.post('/api/v1/support/accounts', { name: 'Nope' }, { apiKey });
      expect(response.status).toBe(401);
      expect(response.body.error.code).toBe('SUPPORT_KEY_INVALID');
    }
  });
});

describe('foundation: bad input gets a 4xx with a stable code, never a 500', () => {
  const stack = e2eStack();
  const http = api(stack.baseUrl);

  it.each([
    ['missing fields', {}, 'VALIDATION_FAILED'],
    ['a missing password', { username: 'a' }, 'VALIDATION_FAILED'],
    ['wrong types', { username: 42, password: ['x'] }, 'VALIDATION_FAILED'],
    ['null fields', { username: null, password: null }, 'VALIDATION_FAILED'],
    ['unknown fields', { username: 'a', password: 'b', admin: true }, 'VALIDATION_FAILED'],
    ['a prototype-pollution key', '{"username":"a","password":"b","__proto__":{"admin":true}}', 'MALFORMED_REQUEST'],
    ['a constructor-pollution key', '{"username":"a","password":"b","constructor":{"prototype":{"admin":true}}}', 'MALFORMED_REQUEST'],
    ['malformed JSON', '{"username":', 'MALFORMED_REQUEST'],
    ['a JSON array', '[1,2,3]', 'VALIDATION_FAILED'],
    ['a JSON string', '"hello"', 'VALIDATION_FAILED'],
    ['an oversized password', { username: 'a', password: 'x'.repeat(2000) }, 'VALIDATION_FAILED'],
  ])('login with %s', async (_name, body, code) => {
    const response = await http.post('/api/v1/auth/login', body);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(response.body.error.code).toBe(code);
  });

  it('refuses a 1 MB body with 413 PAYLOAD_TOO_LARGE', async () => {
    const response = await http.post('/api/v1/auth/login', { username: 'a', password: 'x'.repeat(1024 * 1024) });
    expect(response.status).toBe(413);
    expect(response.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('refuses bodies that are not JSON with 415', async () => {
    const response = await http.post('/api/v1/auth/login', 'username=a&password=b', { headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(response.status).toBe(415);
    expect(response.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const text = await http.post('/api/v1/auth/login', 'hello', { headers: { 'content-type': 'text/plain' } });
    expect(text.status).toBe(415);
  });

  it('refuses malformed ids in paths and unknown routes', async () => {
    const bad = await http.post('/api/v1/support/accounts/not-a-uuid/users', { username: 'a' }, { apiKey: stack.supportKey });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    const missing = await http.get('/api/v1/nowhere');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('ROUTE_NOT_FOUND');
  });

  it.each([
    ['an empty username', { username: '', password: 'long enough pw', email: 'a@example.com', role: 'user' }],
    ['a control character', { username: 'a\u0007b', password: 'long enough pw', email: 'a@example.com', role: 'user' }],
    ['a 129-character username', { username: 'x'.repeat(129), password: 'long enough pw', email: 'a@example.com', role: 'user' }],
    ['a short password', { username: 'ok-name', password: 'short', email: 'a@example.com', role: 'user' }],
    ['a bad email', { username: 'ok-name', password: 'long enough pw', email: 'not-an-email', role: 'user' }],
    ['an unknown role', { username: 'ok-name', password: 'long enough pw', email: 'a@example.com', role: 'root' }],
  ])('creating a user with %s', async (_name, body) => {
    const account = await createAccount(stack);
    const response = await http.post(`/api/v1/support/accounts/${account.id}/users`, body, { apiKey: stack.supportKey });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('VALIDATION_FAILED');
    expect(response.body.error.details.problems.length).toBeGreaterThan(0);
  });

  it('refuses a user in an account that does not exist', async () => {
    const response = await http.post(
      '/api/v1/support/accounts/00000000-0000-4000-8000-000000000000/users',
      { username: `ghost-${uniqueSuffix()}`, password: 'long enough pw', email: 'a@example.com', role: 'user' },
      { apiKey: stack.supportKey },
    );
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('ACCOUNT_NOT_FOUND');
  });
});

describe('foundation: operations', () => {
  const stack = e2eStack();
  const http = api(stack.baseUrl);

  it('is live and ready with every service up', async () => {
    expect((await http.get('/health/live')).status).toBe(200);
    const ready = await http.get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready', services: { auth: 'up', mfa: 'up', accounts: 'up' } });
  });

  it('publishes the OpenAPI document at /docs', async () => {
    const doc = await http.get('/docs/openapi.json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/api/v1/auth/login', '/api/v1/me', '/api/v1/support/accounts']));
  });
});
