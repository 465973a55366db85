import {
  accessToken,
  api,
  createAccount,
  createHolderAccount,
  createUser,
  e2eStack,
  enrolAuthenticator,
  login,
  passChallenge,
  uniqueSuffix,
} from '#testing';

/**
 * Holders manage their users' MFA (the seed's "MFA User Management"): a paginated list with each user's
 * MFA status, a search by full and exact username, one user's page, and Reset MFA.
 */
describe("holders manage their users' MFA", () => {
  const stack = e2eStack();
  const http = api(stack.baseUrl);

  const holderOfNewAccount = () => createHolderAccount(stack);

  const usersPath = (accountId: string, query = '') => `/api/v1/accounts/${accountId}/users${query}`;

  it('finds a user by exact username among 11 (a page of 10, total 11), resets their MFA, and they sign in directly', async () => {
    const s = uniqueSuffix(6);
    const account = await createAccount(stack);
    const holder = await createUser(stack, account.id, { role: 'holder', username: `anotheradmin-${s}` });
    const names = ['brandnewusercollie1', 'bobble', 'nalnemer', 'nalnemer1215', 'nalnermer1215b', 'ebras1214', 'ebras1214b', 'zed', 'yolanda'].map((n) => `${n}-${s}`);
    const special = `specialchar!@!@ù%$%^^&(%@#$%$%*()é-${s}`;
    const users = await Promise.all([...names, special].map((username) => createUser(stack, account.id, { username })));
    const nalnemer = users.find((u) => u.username === `nalnemer-${s}`)!;
    const holderToken = await accessToken(stack, holder.username, holder.password);

    // nalnemer sets up an authenticator on their own (optional: the account does not require it).
    const { authenticator } = await enrolAuthenticator(stack, await accessToken(stack, nalnemer.username, nalnemer.password));

    const all = [holder.username, ...names, special].sort();
    const first = await http.get(usersPath(account.id, '?page=1&pageSize=10'), { token: holderToken });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ total: 11, page: 1, pageSize: 10 });
    expect(first.body.items).toHaveLength(10);
    expect(first.body.items.map((u: { username: string }) => u.username)).toEqual(all.slice(0, 10));
    const second = await http.get(usersPath(account.id, '?page=2&pageSize=10'), { token: holderToken });
    expect(second.body).toMatchObject({ total: 11, page: 2, pageSize: 10 });
    expect(second.body.items.map((u: { username: string }) => u.username)).toEqual(all.slice(10));
    expect((await http.get(usersPath(account.id), { token: holderToken })).body).toMatchObject({ page: 1, pageSize: 10, total: 11 });

    const listed = [...first.body.items, ...second.body.items];
    expect(listed.find((u: { id: string }) => u.id === nalnemer.id)).toEqual({
      id: nalnemer.id,
      username: nalnemer.username,
      email: nalnemer.email,
      role: 'user',
      mfa: { status: 'enabled', methods: expect.arrayContaining(['totp']) },
    });
    expect(listed.find((u: { id: string }) => u.id === holder.id).mfa).toEqual({ status: 'not_set_up', methods: [] });

    // Exact username, punctuation and all, as typed (URL-encoded), and in decomposed form (NFC match).
    for (const query of [special, special.normalize('NFD')]) {
      const found = await http.get(usersPath(account.id, `?username=${encodeURIComponent(query)}`), { token: holderToken });
      expect(found.status).toBe(200);
      expect(found.body).toMatchObject({ total: 1, page: 1, pageSize: 10 });
      expect(found.body.items[0].username).toBe(special);
    }
    const byName = await http.get(usersPath(account.id, `?username=${encodeURIComponent(nalnemer.username)}`), { token: holderToken });
    expect(byName.body.items.map((u: { id: string }) => u.id)).toEqual([nalnemer.id]);

    // Open the user, reset their MFA: every factor gone, every session ended.
    const userSession = await passChallenge(stack, (await login(stack, nalnemer.username, nalnemer.password)).challengeId!, 'totp', authenticator.code(1));
    const opened = await http.get(usersPath(account.id, `/${nalnemer.id}`), { token: holderToken });
    expect(opened.status).toBe(200);
    expect(opened.body.mfa.status).toBe('enabled');
    const reset = await http.post(usersPath(account.id, `/${nalnemer.id}/mfa/reset`), undefined, { token: holderToken });
    expect(reset.status).toBe(200);
    expect(reset.body).toEqual({ id: nalnemer.id, username: nalnemer.username, email: nalnemer.email, role: 'user', mfa: { status: 'not_set_up', methods: [] } });
    expect((await http.get(usersPath(account.id, `/${nalnemer.id}`), { token: holderToken })).body.mfa.status).toBe('not_set_up');
    const revoked = await http.get('/api/v1/me', { token: userSession });
    expect(revoked.status).toBe(401);
    expect(revoked.body.error.code).toBe('SESSION_REVOKED');
    // The account does not require MFA: the next sign-in is the password alone.
    expect((await login(stack, nalnemer.username, nalnemer.password)).status).toBe('authenticated');
  });

  it("shows each change of a user's MFA in the holder's list on the very next request", async () => {
    const { accountId, token: holderToken } = await holderOfNewAccount();
    const user = await createUser(stack, accountId);
    const statusInList = async () => {
      const page = await http.get(usersPath(accountId, `?username=${encodeURIComponent(user.username)}`), { token: holderToken });
      expect(page.status).toBe(200);
      return page.body.items[0].mfa.status as string;
    };
    // The list is asked before every change, so accounts holds each user's status when the change happens:
    // mfa's signal (sent before it answers; apps/mfa/src/mfa.nats.int-spec.ts holds that order) must clear it.
    expect(await statusInList()).toBe('not_set_up');
    const token = await accessToken(stack, user.username, user.password);
    const { authenticator } = await enrolAuthenticator(stack, token);
    expect(await statusInList()).toBe('enabled');
    expect((await http.request('DELETE', '/api/v1/me/mfa', { code: authenticator.code(1) }, { token })).status).toBe(204);
    expect(await statusInList()).toBe('not_set_up');
    await enrolAuthenticator(stack, token);
    expect(await statusInList()).toBe('enabled');
    const reset = await http.post(`/api/v1/support/users/${user.id}/mfa/reset`, { reason: 'new phone, identity checked' }, { apiKey: stack.supportKey });
    expect(reset.status).toBe(200);
    expect(await statusInList()).toBe('not_set_up');
  });

  it('treats %, _, \\ and every other character in the search as itself, never as a wildcard', async () => {
    const s = uniqueSuffix(6);
    const { accountId, token } = await holderOfNewAccount();
    const names = [`a_c-${s}`, `abc-${s}`, `a%c-${s}`, `a\\c-${s}`, `Abc-${s}`];
    await Promise.all(names.map((username) => createUser(stack, accountId, { username })));
    const search = async (username: string) => {
      const response = await http.get(usersPath(accountId, `?username=${encodeURIComponent(username)}`), { token });
      expect(response.status).toBe(200);
      return response.body.items.map((u: { username: string }) => u.username);
    };
    for (const name of names) expect(await search(name)).toEqual([name]);
    for (const pattern of [`a%-${s}`, `%`, `_`, `a_c%`, `ab_-${s}`, `a\\%-${s}`, `a.c-${s}`, `a*c-${s}`, `abc`, `abc-${s} `, `ABC-${s}`, `.*`]) {
      expect({ pattern, found: await search(pattern) }).toEqual({ pattern, found: [] });
    }
  });

  it('validates page and pageSize with clear 400s', async () => {
    const { accountId, token } = await holderOfNewAccount();
    for (const query of ['?page=0', '?page=-1', '?page=abc', '?page=1.5', '?page=', '?pageSize=0', '?pageSize=101', '?pageSize=1e2', '?page=1&page=2', '?sort=username', '?username=a&username=b']) {
      const response = await http.get(usersPath(accountId, query), { token });
      expect({ query, status: response.status, code: response.body.error?.code }).toEqual({ query, status: 400, code: 'VALIDATION_FAILED' });
      expect(response.body.error.details.problems.length).toBeGreaterThan(0);
    }
    const max = await http.get(usersPath(accountId, '?pageSize=100&page=7'), { token });
    expect(max.status).toBe(200);
    expect(max.body).toMatchObject({ items: [], total: 1, page: 7, pageSize: 100 });
  });

  it("answers another account's account and users as if they did not exist, and touches nothing there", async () => {
    const a = await holderOfNewAccount();
    const b = await holderOfNewAccount();
    const userOfB = await createUser(stack, b.accountId);
    const { authenticator } = await enrolAuthenticator(stack, await accessToken(stack, userOfB.username, userOfB.password));
    expect(authenticator.recoveryCodes).toHaveLength(10);

    const attempts = [
      await http.get(usersPath(b.accountId), { token: a.token }),
      await http.get(usersPath(b.accountId, `/${userOfB.id}`), { token: a.token }),
      await http.post(usersPath(b.accountId, `/${userOfB.id}/mfa/reset`), undefined, { token: a.token }),
    ];
    for (const response of attempts) {
      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe('ACCOUNT_NOT_FOUND');
    }
    // Through their own account id: the user of B is no user of A.
    for (const response of [
      await http.get(usersPath(a.accountId, `/${userOfB.id}`), { token: a.token }),
      await http.post(usersPath(a.accountId, `/${userOfB.id}/mfa/reset`), undefined, { token: a.token }),
      await http.get(usersPath(a.accountId, '/00000000-0000-4000-8000-000000000000'), { token: a.token }),
    ]) {
      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe('USER_NOT_FOUND');
    }
    const search = await http.get(usersPath(a.accountId, `?username=${encodeURIComponent(userOfB.username)}`), { token: a.token });
    expect(search.body).toMatchObject({ items: [], total: 0 });
    // B's user still has MFA.
    expect((await login(stack, userOfB.username, userOfB.password)).status).toBe('mfa_required');
    expect((await http.get(usersPath(b.accountId, `/${userOfB.id}`), { token: b.token })).body.mfa.status).toBe('enabled');
  });

  it('lets no plain user list, open or reset anyone, themselves included', async () => {
    const { accountId } = await holderOfNewAccount();
    const user = await createUser(stack, accountId);
    const token = await accessToken(stack, user.username, user.password);
    for (const response of [
      await http.get(usersPath(accountId), { token }),
      await http.get(usersPath(accountId, `/${user.id}`), { token }),
      await http.post(usersPath(accountId, `/${user.id}/mfa/reset`), undefined, { token }),
    ]) {
      expect(response.status).toBe(403);
      expect(response.body.error.code).toBe('FORBIDDEN');
    }
    expect((await http.get(usersPath(accountId))).status).toBe(401);
  });
});
