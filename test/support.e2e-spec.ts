import { accessToken, api, createAccount, createUser, e2eStack, enrolAuthenticator, login, passChallenge } from '#testing';

/** Support resets anyone's MFA, holders included ("If an Account Holder loses an MFA device…"). */
describe('support reset of MFA', () => {
  const stack = e2eStack();
  const http = api(stack.baseUrl);
  const resetPath = (userId: string) => `/api/v1/support/users/${userId}/mfa/reset`;

  it('resets a holder who lost their device: idempotent, sessions ended, audited with the key id and the reason', async () => {
    const account = await createAccount(stack);
    const holder = await createUser(stack, account.id, { role: 'holder' });
    const { authenticator } = await enrolAuthenticator(stack, await accessToken(stack, holder.username, holder.password));
    const challenge = await login(stack, holder.username, holder.password);
    expect(challenge.status).toBe('mfa_required');
    const session = await passChallenge(stack, challenge.challengeId!, 'totp', authenticator.code(1));

    const reason = 'Holder lost their phone; identity verified by call-back to the practice number (ticket 4711).';
    const first = await http.post(resetPath(holder.id), { reason }, { apiKey: stack.supportKey, headers: { 'x-forwarded-for': '192.0.2.55' } });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ id: holder.id, username: holder.username, email: holder.email, role: 'holder', mfa: { status: 'not_set_up', methods: [] } });
    const again = await http.post(resetPath(holder.id), { reason: 'Double-click.' }, { apiKey: stack.supportKey });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);

    expect((await http.get('/api/v1/me', { token: session })).body.error.code).toBe('SESSION_REVOKED');
    const next = await login(stack, holder.username, holder.password);
    expect(next.status).toBe('authenticated');

    const audit = await http.get(`/api/v1/accounts/${account.id}/audit-events?pageSize=100`, { token: next.accessToken });
    expect(audit.status).toBe(200);
    const resets = audit.body.items.filter((e: { type: string }) => e.type === 'mfa.reset');
    expect(resets).toHaveLength(2);
    expect(resets[1]).toMatchObject({
      actor: { type: 'support', keyId: 'bootstrap' },
      targetUserId: holder.id,
      ip: '192.0.2.55',
      details: { reason, removed: true },
    });
    expect(resets[0].details).toMatchObject({ reason: 'Double-click.', removed: false });
  });

  it('refuses a reset without a valid key', async () => {
    const account = await createAccount(stack);
    const user = await createUser(stack, account.id);
    for (const apiKey of [undefined, 'tfsk_nope_nope', 'x'.repeat(300)]) {
      const response = await http.post(resetPath(user.id), { reason: 'r' }, { apiKey });
      expect(response.status).toBe(401);
      expect(response.body.error.code).toBe('SUPPORT_KEY_INVALID');
    }
    // A holder's session token is not a support key.
    const holder = await createUser(stack, account.id, { role: 'holder' });
    const token = await accessToken(stack, holder.username, holder.password);
    expect((await http.post(resetPath(user.id), { reason: 'r' }, { token })).status).toBe(401);
  });

  it('refuses a reset without a reason, with a blank one or one over 500 characters', async () => {
    const account = await createAccount(stack);
    const user = await createUser(stack, account.id);
    for (const body of [undefined, {}, { reason: '' }, { reason: '   ' }, { reason: 'x'.repeat(501) }, { reason: 42 }, { reason: 'ok', extra: true }]) {
      const response = await http.post(resetPath(user.id), body, { apiKey: stack.supportKey });
      expect({ body, status: response.status }).toEqual({ body, status: 400 });
    }
    expect((await http.post(resetPath(user.id), { reason: 'x'.repeat(500) }, { apiKey: stack.supportKey })).status).toBe(200);
  });

  it('answers 404 for an unknown user and 400 for a malformed id', async () => {
    const unknown = await http.post(resetPath('00000000-0000-4000-8000-000000000000'), { reason: 'r' }, { apiKey: stack.supportKey });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('USER_NOT_FOUND');
    expect((await http.post(resetPath('not-a-uuid'), { reason: 'r' }, { apiKey: stack.supportKey })).status).toBe(400);
  });
});
