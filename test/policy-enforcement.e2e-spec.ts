import pg from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  accessToken,
  api,
  createAccount,
  createUser,
  e2eStack,
  enrolAuthenticator,
  login,
  passChallenge,
  secretOfOtpauthUrl,
  totpCodeFor,
  type UserCredentials,
} from '#testing';

/**
 * The seed's story end to end: optional self-setup; the holder enforces MFA; a user without MFA is forced
 * through setup at sign-in and reaches nothing before finishing; enforcement off keeps everyone's MFA; a
 * reset user sets up again while MFA is required; and the IP safelist applies at sign-in too.
 */
describe('MFA enforcement at sign-in', () => {
  const stack = e2eStack();
  const http = api(stack.baseUrl);
  const setupStart = '/api/v1/auth/mfa/setup/totp';
  const setupConfirm = '/api/v1/auth/mfa/setup/totp/confirm';

  async function setPolicy(accountId: string, token: string, policy: { mfaRequired: boolean; ipSafelist?: string[] }, ip = '203.0.113.10'): Promise<void> {
    const response = await http.put(
      `/api/v1/accounts/${accountId}/security-settings`,
      { mfaRequired: policy.mfaRequired, allowEmailCodes: true, ipSafelist: policy.ipSafelist ?? [] },
      { token, headers: { 'x-forwarded-for': ip } },
    );
    expect(response.status).toBe(200);
  }

  const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());

  it('walks the seed: optional setup, enforcement on, forced setup, enforcement off keeps MFA, reset under enforcement', async () => {
    const account = await createAccount(stack);
    const holder = await createUser(stack, account.id, { role: 'holder' });
    const alice = await createUser(stack, account.id);
    const bob = await createUser(stack, account.id);
    const carol = await createUser(stack, account.id);
    const holderToken = await accessToken(stack, holder.username, holder.password);

    // 1. Optional self-setup: alice sets up MFA although the account does not require it.
    const aliceToken = await accessToken(stack, alice.username, alice.password);
    const { authenticator: alicesApp } = await enrolAuthenticator(stack, aliceToken);

    // 2. The holder enforces MFA for all users.
    await setPolicy(account.id, holderToken, { mfaRequired: true });

    // 3. bob has no MFA: his sign-in answers a setup token, never a session.
    const forced = await login(stack, bob.username, bob.password);
    expect(forced).toEqual({ status: 'mfa_setup_required', setupToken: expect.stringMatching(/^tfst_/), expiresIn: 900, methods: ['totp', 'email'] }); // email: the account allows email codes (the default)
    expect(forced.accessToken).toBeUndefined();
    const setupToken = forced.setupToken!;

    // 4. The setup token opens nothing but the setup pair.
    for (const [method, path] of [
      ['GET', '/api/v1/me'],
      ['GET', '/api/v1/me/mfa'],
      ['POST', '/api/v1/me/mfa/totp'],
      ['POST', '/api/v1/auth/logout'],
      ['GET', `/api/v1/accounts/${account.id}/users`],
    ] as const) {
      const response = await http.request(method, path, undefined, { token: setupToken });
      expect({ path, status: response.status, code: response.body.error?.code }).toEqual({ path, status: 401, code: 'UNAUTHENTICATED' });
    }
    // …and an access token does not open the setup pair.
    expect((await http.post(setupStart, undefined, { token: holderToken })).status).toBe(401);
    const forged = await http.post(setupStart, undefined, { token: `tfst_${'A'.repeat(43)}` });
    expect(forged.status).toBe(401);
    expect(forged.body.error.code).toBe('TOKEN_INVALID');

    // 5. bob sets up his authenticator with the setup token and is signed in by the confirmation.
    const started = await http.post(setupStart, undefined, { token: setupToken });
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({ otpauthUrl: expect.stringMatching(/^otpauth:\/\/totp\//), qrCode: expect.stringMatching(/^data:image\/png;base64,/), manualKey: expect.any(String) });
    const secret = secretOfOtpauthUrl(started.body.otpauthUrl);
    const wrong = await http.post(setupConfirm, { code: totpCodeFor(secret, -10) }, { token: setupToken });
    expect(wrong.status).toBe(401);
    expect((await http.post(setupConfirm, { code: 'abc' }, { token: setupToken })).status).toBe(400);
    const confirmed = await http.post(setupConfirm, { code: totpCodeFor(secret) }, { token: setupToken });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ status: 'authenticated', accessToken: expect.any(String), tokenType: 'Bearer', recoveryCodes: expect.any(Array) });
    expect(confirmed.body.recoveryCodes).toHaveLength(10);
    expect(claimsOf(confirmed.body.accessToken).amr).toEqual(['pwd', 'otp', 'mfa']);
    expect((await http.get('/api/v1/me', { token: confirmed.body.accessToken })).body.id).toBe(bob.id);
    // The setup token was spent by the confirmation.
    const replay = await http.post(setupConfirm, { code: totpCodeFor(secret, 1) }, { token: setupToken });
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('TOKEN_INVALID');

    // 6. From now on bob, and alice who set up on her own, pass a challenge.
    const bobsChallenge = await login(stack, bob.username, bob.password);
    expect(bobsChallenge.status).toBe('mfa_required');
    await passChallenge(stack, bobsChallenge.challengeId!, 'totp', totpCodeFor(secret, 1));
    expect((await login(stack, alice.username, alice.password)).status).toBe('mfa_required');
    // While MFA is required nobody can remove their own (only a holder's or support's reset can).
    const refused = await http.request('DELETE', '/api/v1/me/mfa', { code: alicesApp.code(1) }, { token: aliceToken });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('MFA_REQUIRED_BY_ACCOUNT');

    // 7. Enforcement off removes nobody's MFA: alice and bob are still challenged; carol signs in directly.
    await setPolicy(account.id, holderToken, { mfaRequired: false });
    expect((await login(stack, alice.username, alice.password)).status).toBe('mfa_required');
    expect((await login(stack, bob.username, bob.password)).status).toBe('mfa_required');
    expect((await login(stack, carol.username, carol.password)).status).toBe('authenticated');
    // Not required any more: alice may remove her own, with a current code.
    expect((await http.request('DELETE', '/api/v1/me/mfa', { code: alicesApp.code(1) }, { token: aliceToken })).status).toBe(204);
    expect((await login(stack, alice.username, alice.password)).status).toBe('authenticated');

    // 8. Under enforcement, a reset user must set up again at the next sign-in.
    await setPolicy(account.id, holderToken, { mfaRequired: true });
    const reset = await http.post(`/api/v1/accounts/${account.id}/users/${alice.id}/mfa/reset`, undefined, { token: holderToken });
    expect(reset.body.mfa.status).toBe('not_set_up');
    expect((await login(stack, alice.username, alice.password)).status).toBe('mfa_setup_required');
    const bobReset = await http.post(`/api/v1/accounts/${account.id}/users/${bob.id}/mfa/reset`, undefined, { token: holderToken });
    expect(bobReset.status).toBe(200);
    expect((await login(stack, bob.username, bob.password)).status).toBe('mfa_setup_required');
  });

  it('keeps a setup token for 15 minutes, stored hashed', async () => {
    const account = await createAccount(stack);
    const holder = await createUser(stack, account.id, { role: 'holder' });
    const user = await createUser(stack, account.id);
    await setPolicy(account.id, await accessToken(stack, holder.username, holder.password), { mfaRequired: true });
    const { setupToken } = await login(stack, user.username, user.password);
    const client = new pg.Client({ connectionString: stack.databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query(
        `SELECT token_hash, extract(epoch FROM expires_at - created_at)::int AS ttl FROM auth.setup_tokens WHERE user_id = $1`,
        [user.id],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0].ttl).toBe(900);
      expect(rows[0].token_hash).not.toContain(setupToken!.slice(5));
      expect(rows[0].token_hash).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      await client.end();
    }
  });

  it('applies the IP safelist at sign-in after the password, audited as a failed sign-in', async () => {
    const account = await createAccount(stack);
    const holder = await createUser(stack, account.id, { role: 'holder' });
    const user: UserCredentials = await createUser(stack, account.id);
    const holderToken = await accessToken(stack, holder.username, holder.password);
    await setPolicy(account.id, holderToken, { mfaRequired: false, ipSafelist: ['203.0.113.0/24'] });

    const outside = await http.post('/api/v1/auth/login', { username: user.username, password: user.password }, { headers: { 'x-forwarded-for': '198.51.100.7' } });
    expect(outside.status).toBe(403);
    expect(outside.body.error.code).toBe('IP_NOT_ALLOWED');
    expect(outside.body.error.message).toContain('198.51.100.7');
    // A wrong password from outside learns nothing about the safelist (or the user).
    const guess = await http.post('/api/v1/auth/login', { username: user.username, password: 'not the password' }, { headers: { 'x-forwarded-for': '198.51.100.7' } });
    expect(guess.status).toBe(401);
    expect(guess.body.error.code).toBe('INVALID_CREDENTIALS');
    // A spoofed X-Forwarded-For from an untrusted peer is ignored at sign-in too.
    const spoofed = await api(stack.untrustedBaseUrl).post('/api/v1/auth/login', { username: user.username, password: user.password }, { headers: { 'x-forwarded-for': '203.0.113.5' } });
    expect(spoofed.status).toBe(403);
    const inside = await http.post('/api/v1/auth/login', { username: user.username, password: user.password }, { headers: { 'x-forwarded-for': '203.0.113.5' } });
    expect(inside.status).toBe(200);

    const deadline = Date.now() + 5_000;
    let refused: { actor: unknown; targetUserId: string; ip: string } | undefined;
    while (!refused && Date.now() < deadline) {
      const audit = await http.get(`/api/v1/accounts/${account.id}/audit-events?pageSize=100`, { token: holderToken, headers: { 'x-forwarded-for': '203.0.113.10' } });
      refused = audit.body.items.find(
        (e: { type: string; ip: string; details: { reason?: string } }) => e.type === 'login.failed' && e.details.reason === 'ip_not_allowed' && e.ip === '198.51.100.7',
      );
      if (!refused) await sleep(100);
    }
    expect(refused).toMatchObject({ targetUserId: user.id, ip: '198.51.100.7' });
  });
});
