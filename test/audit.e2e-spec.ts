import { setTimeout as sleep } from 'node:timers/promises';
import { accessToken, api, createAccount, createUser, e2eStack, enrolAuthenticator, login, passChallenge, uniqueSuffix } from '#testing';

interface AuditEvent {
  id: string;
  type: string;
  actor: { type: string; userId?: string; keyId?: string } | null;
  targetUserId: string | null;
  ip: string | null;
  at: string;
  details: Record<string, unknown>;
}

/** The account's audit log: every security event with actor, target, IP and time, newest first. */
describe('audit log', () => {
  const stack = e2eStack();
  const http = api(stack.baseUrl);
  const from = (ip: string) => ({ 'x-forwarded-for': ip });

  /** The log is built asynchronously from events: poll until `done` holds. */
  async function auditUntil(accountId: string, token: string, done: (items: AuditEvent[]) => boolean, timeoutMs = 5_000): Promise<AuditEvent[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const response = await http.get(`/api/v1/accounts/${accountId}/audit-events?pageSize=100`, { token, headers: from('203.0.113.10') });
      expect(response.status).toBe(200);
      const items = response.body.items as AuditEvent[];
      if (done(items) || Date.now() > deadline) return items;
      await sleep(100);
    }
  }

  it('records sign-ins, failures, setup, lockout-free removal by reset, settings and safelist changes, with actor, target, IP and time', async () => {
    const account = await createAccount(stack);
    const holder = await createUser(stack, account.id, { role: 'holder' });
    const user = await createUser(stack, account.id);
    const holderToken = (await http.post('/api/v1/auth/login', { username: holder.username, password: holder.password }, { headers: from('203.0.113.10') })).body.accessToken;

    const before = Date.now();
    expect((await http.post('/api/v1/auth/login', { username: user.username, password: 'wrong password!' }, { headers: from('198.51.100.20') })).status).toBe(401);
    const userToken = (await http.post('/api/v1/auth/login', { username: user.username, password: user.password }, { headers: from('198.51.100.21') })).body.accessToken;
    const { authenticator } = await enrolAuthenticator(stack, userToken);
    const challenge = await login(stack, user.username, user.password);
    const bad = await http.post('/api/v1/auth/mfa/verify', { challengeId: challenge.challengeId, method: 'totp', code: authenticator.code(-5) });
    expect(bad.status).toBe(401);
    await passChallenge(stack, challenge.challengeId!, 'totp', authenticator.code(1));
    const put = await http.put(
      `/api/v1/accounts/${account.id}/security-settings`,
      { mfaRequired: true, allowEmailCodes: false, ipSafelist: ['203.0.113.0/24', '198.51.100.0/24'] },
      { token: holderToken, headers: from('203.0.113.10') },
    );
    expect(put.status).toBe(200);
    const reset = await http.post(`/api/v1/accounts/${account.id}/users/${user.id}/mfa/reset`, undefined, { token: holderToken, headers: from('203.0.113.10') });
    expect(reset.status).toBe(200);
    // A failed sign-in of a name nobody has belongs to no account: no holder ever sees it.
    await http.post('/api/v1/auth/login', { username: `ghost-${uniqueSuffix()}`, password: 'whatever123' }, { headers: from('198.51.100.99') });

    const wanted = ['login.failed', 'login.failed', 'login.succeeded', 'mfa.enrolled', 'mfa.verification.failed', 'mfa.verification.succeeded', 'settings.changed', 'safelist.changed', 'mfa.reset'];
    const items = await auditUntil(account.id, holderToken, (list) => wanted.every((type) => list.some((e) => e.type === type && e.targetUserId !== holder.id)) && list.filter((e) => e.type === 'login.failed').length >= 2);
    const of = (type: string) => items.find((e) => e.type === type && (e.targetUserId === user.id || e.targetUserId === null))!;

    expect(items.find((e) => e.type === 'login.failed' && e.details.reason === 'invalid_credentials')).toMatchObject({
      actor: { type: 'user', userId: user.id },
      targetUserId: user.id,
      ip: '198.51.100.20',
    });
    // The wrong TOTP code fails the sign-in too.
    expect(items.find((e) => e.type === 'login.failed' && e.details.reason === 'mfa_failed')).toMatchObject({ targetUserId: user.id });
    expect(items.find((e) => e.type === 'login.succeeded' && e.targetUserId === user.id && e.ip === '198.51.100.21')).toMatchObject({ actor: { type: 'user', userId: user.id } });
    expect(of('mfa.enrolled')).toMatchObject({ actor: { type: 'user', userId: user.id }, targetUserId: user.id });
    expect(of('mfa.verification.failed')).toMatchObject({ targetUserId: user.id });
    expect(of('settings.changed')).toMatchObject({
      actor: { type: 'user', userId: holder.id },
      targetUserId: null,
      ip: '203.0.113.10',
      details: { changes: { mfaRequired: { from: false, to: true }, allowEmailCodes: { from: true, to: false } } },
    });
    expect(of('safelist.changed')).toMatchObject({ actor: { type: 'user', userId: holder.id }, ip: '203.0.113.10', details: { added: ['203.0.113.0/24', '198.51.100.0/24'], removed: [] } });
    expect(of('mfa.reset')).toMatchObject({ actor: { type: 'user', userId: holder.id }, targetUserId: user.id, ip: '203.0.113.10', details: { removed: true } });

    for (const event of items) {
      expect(Date.parse(event.at)).toBeGreaterThan(before - 60_000);
      // No code, secret or token ever reaches the log.
      expect(JSON.stringify(event)).not.toMatch(/secret|accessToken|recoveryCodes|"code"/);
    }
    expect(items.some((e) => e.ip === '198.51.100.99')).toBe(false);
    // Newest first.
    const times = items.map((e) => Date.parse(e.at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it('pages newest first and validates the page', async () => {
    const account = await createAccount(stack);
    const holder = await createUser(stack, account.id, { role: 'holder' });
    for (let i = 0; i < 3; i++) await login(stack, holder.username, holder.password);
    const token = await accessToken(stack, holder.username, holder.password);
    const all = await auditUntil(account.id, token, (list) => list.filter((e) => e.type === 'login.succeeded').length >= 4);
    const page = await http.get(`/api/v1/accounts/${account.id}/audit-events?page=2&pageSize=2`, { token });
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ page: 2, pageSize: 2, total: all.length });
    expect(page.body.items.map((e: AuditEvent) => e.id)).toEqual(all.slice(2, 4).map((e) => e.id));
    for (const query of ['?page=0', '?pageSize=101', '?page=x', '?type=login']) {
      expect((await http.get(`/api/v1/accounts/${account.id}/audit-events${query}`, { token })).status).toBe(400);
    }
  });

  it("shows a holder only their own account's log; plain users see none", async () => {
    const a = await createAccount(stack);
    const b = await createAccount(stack);
    const holderA = await createUser(stack, a.id, { role: 'holder' });
    const holderB = await createUser(stack, b.id, { role: 'holder' });
    const userA = await createUser(stack, a.id);
    const tokenA = await accessToken(stack, holderA.username, holderA.password);
    await accessToken(stack, holderB.username, holderB.password);
    const crossing = await http.get(`/api/v1/accounts/${b.id}/audit-events`, { token: tokenA });
    expect(crossing.status).toBe(404);
    expect(crossing.body.error.code).toBe('ACCOUNT_NOT_FOUND');
    const userToken = await accessToken(stack, userA.username, userA.password);
    expect((await http.get(`/api/v1/accounts/${a.id}/audit-events`, { token: userToken })).status).toBe(403);
    const own = await auditUntil(a.id, tokenA, (list) => list.some((e) => e.targetUserId === userA.id));
    expect(own.every((e) => e.targetUserId === null || [holderA.id, userA.id].includes(e.targetUserId))).toBe(true);
    expect(own.some((e) => e.targetUserId === holderB.id)).toBe(false);
  });
});
