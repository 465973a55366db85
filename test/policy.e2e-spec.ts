import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { setTimeout as sleep } from 'node:timers/promises';
import { createGateway } from '../apps/gateway/src/gateway.app.js';
import { loadGatewayConfig } from '../apps/gateway/src/gateway.config.js';
import { accessToken, api, createAccount, createHolderAccount, createUser, e2eStack } from '#testing';

/**
 * Account security settings: MFA enforcement flags and the IP safelist, read and replaced by holders,
 * enforced by the gateway on every authenticated request. The stack trusts 127.0.0.1 as a proxy, so
 * `X-Forwarded-For` through `baseUrl` plays the client's address; through `untrustedBaseUrl` (::1) it
 * must be ignored.
 */
describe('security settings and the IP safelist', () => {
  const stack = e2eStack();
  const http = api(stack.baseUrl);
  const from = (ip: string) => ({ headers: { 'x-forwarded-for': ip } });

  const holderOfNewAccount = () => createHolderAccount(stack);

  const settingsPath = (accountId: string) => `/api/v1/accounts/${accountId}/security-settings`;

  /** Polls until `probe` answers `status` (the cache is replaced by an event, which takes a moment). */
  async function eventually(probe: () => Promise<{ status: number }>, status: number, timeoutMs = 3_000): Promise<{ status: number; body?: any }> {
    const deadline = Date.now() + timeoutMs;
    let last = await probe();
    while (last.status !== status && Date.now() < deadline) {
      await sleep(50);
      last = await probe();
    }
    return last;
  }

  it('starts open: MFA not required, email codes allowed, empty safelist', async () => {
    const { accountId, token } = await holderOfNewAccount();
    const response = await http.get(settingsPath(accountId), { token });
    expect(response.status).toBe(200);
    // currentIp: the caller's address as Twofold sees it (here the trusted proxy's own, no X-Forwarded-For).
    expect(response.body).toEqual({ mfaRequired: false, allowEmailCodes: true, ipSafelist: [], currentIp: '127.0.0.1' });
  });

  it('stores the safelist normalised and de-duplicated, and answers what it stored', async () => {
    const { accountId, token } = await holderOfNewAccount();
    const put = await http.put(
      settingsPath(accountId),
      {
        mfaRequired: true,
        allowEmailCodes: false,
        ipSafelist: [' 203.0.113.10 ', '198.51.100.77/24', '::ffff:203.0.113.10', '2001:DB8:0::/32', '198.51.100.0/24', '192.0.2.1/32'],
      },
      { token, ...from('203.0.113.10') },
    );
    expect(put.status).toBe(200);
    const expected = { mfaRequired: true, allowEmailCodes: false, ipSafelist: ['203.0.113.10', '198.51.100.0/24', '2001:db8::/32', '192.0.2.1'] };
    expect(put.body).toEqual({ ...expected, currentIp: '203.0.113.10' });
    expect((await http.get(settingsPath(accountId), { token, ...from('203.0.113.10') })).body).toEqual({ ...expected, currentIp: '203.0.113.10' });
  });

  it('names every invalid entry in the 400 and changes nothing', async () => {
    const { accountId, token } = await holderOfNewAccount();
    const response = await http.put(
      settingsPath(accountId),
      { mfaRequired: true, allowEmailCodes: true, ipSafelist: ['10.0.0.1', 'not-an-ip', '10.0.0.0/33', '300.1.1.1', 'fe80::1%eth0'] },
      { token },
    );
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('VALIDATION_FAILED');
    expect(response.body.error.details.invalidEntries.map((p: { entry: string }) => p.entry)).toEqual(['not-an-ip', '10.0.0.0/33', '300.1.1.1', 'fe80::1%eth0']);
    expect(response.body.error.details.problems).toHaveLength(4);
    expect((await http.get(settingsPath(accountId), { token })).body).toEqual({ mfaRequired: false, allowEmailCodes: true, ipSafelist: [], currentIp: '127.0.0.1' });
  });

  it('refuses more than 100 entries, a missing field, a wrong type and unknown fields', async () => {
    const { accountId, token } = await holderOfNewAccount();
    const tooMany = Array.from({ length: 101 }, (_, i) => `10.0.${i}.1`);
    for (const body of [
      { mfaRequired: false, allowEmailCodes: true, ipSafelist: tooMany },
      { mfaRequired: false, allowEmailCodes: true },
      { mfaRequired: 'yes', allowEmailCodes: true, ipSafelist: [] },
      { mfaRequired: false, allowEmailCodes: true, ipSafelist: [42] },
      { mfaRequired: false, allowEmailCodes: true, ipSafelist: [], admin: true },
    ]) {
      const response = await http.put(settingsPath(accountId), body, { token });
      expect({ body, status: response.status, code: response.body.error?.code }).toEqual({ body, status: 400, code: 'VALIDATION_FAILED' });
    }
  });

  it('refuses a safelist that would lock out the holder saving it, naming their address (409)', async () => {
    const { accountId, token } = await holderOfNewAccount();
    const response = await http.put(
      settingsPath(accountId),
      { mfaRequired: false, allowEmailCodes: true, ipSafelist: ['198.51.100.0/24'] },
      { token, ...from('203.0.113.10') },
    );
    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe('SAFELIST_LOCKS_OUT_ACTOR');
    expect(response.body.error.message).toContain('203.0.113.10');
    expect((await http.get(settingsPath(accountId), { token, ...from('203.0.113.10') })).body.ipSafelist).toEqual([]);
  });

  it("refuses every authenticated request from outside the safelist at once, and only that account's", async () => {
    const { accountId, token: holderToken } = await holderOfNewAccount();
    const user = await createUser(stack, accountId);
    const userToken = await accessToken(stack, user.username, user.password);
    const other = await holderOfNewAccount();
    // Warm the gateway's cache with the open policy: the change below must still apply at once.
    expect((await http.get('/api/v1/me', { token: userToken, ...from('198.51.100.1') })).status).toBe(200);

    const put = await http.put(
      settingsPath(accountId),
      { mfaRequired: false, allowEmailCodes: true, ipSafelist: ['203.0.113.0/24', '2001:db8::/32'] },
      { token: holderToken, ...from('203.0.113.10') },
    );
    expect(put.status).toBe(200);

    const refused = await eventually(() => http.get('/api/v1/me', { token: userToken, ...from('198.51.100.1') }), 403, 2_000);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('IP_NOT_ALLOWED');
    expect(refused.body.error.message).toContain('198.51.100.1');
    expect((await http.get('/api/v1/me', { token: userToken, ...from('203.0.113.99') })).status).toBe(200);
    expect((await http.get('/api/v1/me', { token: userToken, ...from('::ffff:203.0.113.99') })).status).toBe(200);
    expect((await http.get('/api/v1/me', { token: userToken, ...from('2001:db8::42') })).status).toBe(200);
    expect((await http.get(settingsPath(accountId), { token: holderToken, ...from('198.51.100.1') })).status).toBe(403);
    // Another account is unaffected.
    expect((await http.get('/api/v1/me', { token: other.token, ...from('198.51.100.1') })).status).toBe(200);

    // Emptying the list opens the account again.
    const open = await http.put(settingsPath(accountId), { mfaRequired: false, allowEmailCodes: true, ipSafelist: [] }, { token: holderToken, ...from('203.0.113.10') });
    expect(open.status).toBe(200);
    expect((await eventually(() => http.get('/api/v1/me', { token: userToken, ...from('198.51.100.1') }), 200, 2_000)).status).toBe(200);
  });

  it('ignores X-Forwarded-For from an untrusted peer: a lie about the address opens nothing', async () => {
    const { accountId, token } = await holderOfNewAccount();
    const put = await http.put(settingsPath(accountId), { mfaRequired: false, allowEmailCodes: true, ipSafelist: ['203.0.113.10'] }, { token, ...from('203.0.113.10') });
    expect(put.status).toBe(200);
    const untrusted = api(stack.untrustedBaseUrl);
    const spoofed = await eventually(() => untrusted.get('/api/v1/me', { token, ...from('203.0.113.10') }), 403, 2_000);
    expect(spoofed.status).toBe(403);
    expect(spoofed.body.error.code).toBe('IP_NOT_ALLOWED');
    expect(spoofed.body.error.message).toContain('::1');
    // Nor can the untrusted peer save a list in someone else's name: it is judged by its own address.
    const lockout = await untrusted.put(settingsPath(accountId), { mfaRequired: false, allowEmailCodes: true, ipSafelist: ['203.0.113.10'] }, { token, ...from('203.0.113.10') });
    expect(lockout.status).toBe(403);
  });

  it('serialises concurrent changes: every audited safelist diff starts from the list the previous one left', async () => {
    const { accountId, token } = await holderOfNewAccount();
    const lists = Array.from({ length: 10 }, (_, i) => ['203.0.113.10', `198.51.${i}.0/24`, ...(i % 2 ? ['2001:db8::/32'] : [])]);
    const answers = await Promise.all(
      lists.map((ipSafelist) => http.put(settingsPath(accountId), { mfaRequired: false, allowEmailCodes: true, ipSafelist }, { token, ...from('203.0.113.10') })),
    );
    expect(answers.map((a) => a.status)).toEqual(lists.map(() => 200));
    const final = (await http.get(settingsPath(accountId), { token, ...from('203.0.113.10') })).body.ipSafelist;
    expect(lists).toContainEqual(final);

    const audit = await http.get(`/api/v1/accounts/${accountId}/audit-events?pageSize=100`, { token, ...from('203.0.113.10') });
    const changes = (audit.body.items as Array<{ id: string; type: string; details: { added: string[]; removed: string[]; entries: string[] } }>)
      .filter((e) => e.type === 'safelist.changed')
      .sort((a, b) => Number(a.id) - Number(b.id));
    expect(changes).toHaveLength(10);
    let previous: string[] = [];
    for (const change of changes) {
      const rebuilt = [...previous.filter((entry) => !change.details.removed.includes(entry)), ...change.details.added];
      expect(new Set(rebuilt)).toEqual(new Set(change.details.entries));
      previous = change.details.entries;
    }
    expect(previous).toEqual(final);
  });

  it("keeps holders to their own account's settings; plain users may not read them", async () => {
    const a = await holderOfNewAccount();
    const b = await holderOfNewAccount();
    for (const response of [
      await http.get(settingsPath(b.accountId), { token: a.token }),
      await http.put(settingsPath(b.accountId), { mfaRequired: true, allowEmailCodes: true, ipSafelist: [] }, { token: a.token }),
      await http.get(settingsPath('00000000-0000-4000-8000-000000000000'), { token: a.token }),
    ]) {
      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe('ACCOUNT_NOT_FOUND');
    }
    expect((await http.get(settingsPath(b.accountId), { token: b.token })).body.mfaRequired).toBe(false);

    const user = await createUser(stack, a.accountId);
    const userToken = await accessToken(stack, user.username, user.password);
    const forbidden = await http.put(settingsPath(a.accountId), { mfaRequired: false, allowEmailCodes: true, ipSafelist: [] }, { token: userToken });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error.code).toBe('FORBIDDEN');
    expect((await http.get(settingsPath(a.accountId))).status).toBe(401);
    expect((await http.get(settingsPath('not-a-uuid'), { token: a.token })).status).toBe(400);
  });
});

/**
 * A second gateway, in-process, on the same services but with TRUSTED_PROXIES empty: no peer is a proxy,
 * so `X-Forwarded-For` from 127.0.0.1 is a lie like any other and the socket's address is the client's.
 */
describe('IP safelist behind a gateway that trusts no proxy', () => {
  const stack = e2eStack();
  let app: NestFastifyApplication;
  let direct: ReturnType<typeof api>;

  beforeAll(async () => {
    const config = loadGatewayConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      NATS_URL: stack.natsUrl,
      NATS_SUBJECT_PREFIX: stack.prefix,
      TRUSTED_PROXIES: '',
      API_DOCS: 'false',
    });
    app = await createGateway(config);
    await app.listen({ port: 0, host: '127.0.0.1' });
    direct = api((await app.getUrl()).replace('[::1]', '127.0.0.1'));
  });

  afterAll(async () => {
    await app?.close();
  });

  it('judges a request by its socket address whatever X-Forwarded-For claims', async () => {
    const account = await createAccount(stack);
    const holder = await createUser(stack, account.id, { role: 'holder' });
    const token = await accessToken(stack, holder.username, holder.password);
    const settings = `/api/v1/accounts/${account.id}/security-settings`;

    // Claiming to be at an address in the list does not make the holder be there: 409, naming 127.0.0.1.
    const lockout = await direct.put(settings, { mfaRequired: false, allowEmailCodes: true, ipSafelist: ['203.0.113.10'] }, { token, headers: { 'x-forwarded-for': '203.0.113.10' } });
    expect(lockout.status).toBe(409);
    expect(lockout.body.error.code).toBe('SAFELIST_LOCKS_OUT_ACTOR');
    expect(lockout.body.error.message).toContain('127.0.0.1');

    // Through the trusting gateway the holder is at 203.0.113.10 and saves the list.
    const saved = await api(stack.baseUrl).put(settings, { mfaRequired: false, allowEmailCodes: true, ipSafelist: ['203.0.113.10'] }, { token, headers: { 'x-forwarded-for': '203.0.113.10' } });
    expect(saved.status).toBe(200);

    for (const xff of ['203.0.113.10', '203.0.113.10, 127.0.0.1', '127.0.0.1, 203.0.113.10']) {
      const response = await direct.get('/api/v1/me', { token, headers: { 'x-forwarded-for': xff } });
      expect({ xff, status: response.status, code: response.body.error?.code }).toEqual({ xff, status: 403, code: 'IP_NOT_ALLOWED' });
    }
  });
});
