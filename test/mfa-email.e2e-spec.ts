import { connect } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';
import {
  accessToken,
  api,
  createAccount,
  createUser,
  e2eStack,
  enrolAuthenticator,
  login,
  MailboxClient,
  type CapturedMail,
  type UserCredentials,
} from '#testing';

/**
 * Email codes ("Prefer email codes") and security notifications, over HTTP through the gateway with all
 * services up, every mail read from the real SMTP server on loopback that the stack sends to.
 * The mail-outage test stops that SMTP server: it runs last in this file, and no other file reads mail.
 */
describe('email codes and security notifications', () => {
  const stack = e2eStack();
  const http = api(stack.baseUrl);
  const mail = new MailboxClient(stack.mailUrl);
  const VERIFY = '/api/v1/auth/mfa/verify';
  const SEND = '/api/v1/auth/mfa/email/send';

  const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
  const settings = (accountId: string) => `/api/v1/accounts/${accountId}/security-settings`;

  async function accountWithHolder(policy: { mfaRequired?: boolean; allowEmailCodes?: boolean } = {}) {
    const account = await createAccount(stack);
    const holder = await createUser(stack, account.id, { role: 'holder' });
    const holderToken = await accessToken(stack, holder.username, holder.password);
    if (policy.mfaRequired !== undefined || policy.allowEmailCodes !== undefined) {
      await setPolicy(account.id, holderToken, policy);
    }
    return { account, holder, holderToken };
  }

  async function setPolicy(accountId: string, holderToken: string, policy: { mfaRequired?: boolean; allowEmailCodes?: boolean }) {
    const put = await http.put(settings(accountId), { mfaRequired: policy.mfaRequired ?? false, allowEmailCodes: policy.allowEmailCodes ?? true, ipSafelist: [] }, { token: holderToken });
    expect(put.status).toBe(200);
  }

  /** The internal NATS check other services ask (`accounts.mfa-requirement.get`). */
  async function mfaRequirement(userId: string): Promise<Record<string, unknown>> {
    const nc = await connect({ servers: stack.natsUrl.split(',') });
    try {
      const subject = 'accounts.mfa-requirement.get';
      const reply = await nc.request(`${stack.prefix}.${subject}`, JSON.stringify({ pattern: subject, data: { userId }, id: randomUUID() }), { timeout: 5_000 });
      return reply.json<{ response: Record<string, unknown> }>().response;
    } finally {
      await nc.close();
    }
  }

  /** Chooses email codes through the self-service pair; answers the recovery codes. */
  async function chooseEmail(user: UserCredentials, token: string): Promise<string[]> {
    const after = await mail.lastId();
    const started = await http.post('/api/v1/me/mfa/email', undefined, { token });
    expect(started.status).toBe(202);
    const setupMail = await mail.waitFor(user.email, (m) => m.kind === 'code.setup', { after });
    const confirmed = await http.post('/api/v1/me/mfa/email/confirm', { code: setupMail.code }, { token });
    expect(confirmed.status).toBe(200);
    return confirmed.body.recoveryCodes;
  }

  async function emailUser(accountId?: string): Promise<{ user: UserCredentials; token: string; recoveryCodes: string[] }> {
    const account = accountId ? { id: accountId } : await createAccount(stack);
    const user = await createUser(stack, account.id);
    const token = await accessToken(stack, user.username, user.password);
    return { user, token, recoveryCodes: await chooseEmail(user, token) };
  }

  /** Signs in to a challenge and has a code mailed for it; answers both. */
  async function challengeWithCode(user: UserCredentials): Promise<{ challengeId: string; code: string; mail: CapturedMail }> {
    const challenge = await login(stack, user.username, user.password);
    expect(challenge.status).toBe('mfa_required');
    const after = await mail.lastId();
    const sent = await http.post(SEND, { challengeId: challenge.challengeId });
    expect(sent.status).toBe(202);
    const codeMail = await mail.waitFor(user.email, (m) => m.kind === 'code.sign_in', { after });
    return { challengeId: challenge.challengeId!, code: codeMail.code!, mail: codeMail };
  }

  it('lets a user choose email codes, then sign in with the code read from the SMTP server', async () => {
    const account = await createAccount(stack);
    const user = await createUser(stack, account.id);
    const token = await accessToken(stack, user.username, user.password);

    const after = await mail.lastId();
    const started = await http.post('/api/v1/me/mfa/email', undefined, { token });
    expect(started.status).toBe(202);
    expect(started.body).toEqual({ sentTo: `${user.email[0]}•••@example.com`, expiresIn: 600, resendAfterSeconds: 60, sendsRemaining: 4 });
    const setupMail = await mail.waitFor(user.email, (m) => m.kind === 'code.setup', { after });
    expect(setupMail.code).toMatch(/^\d{6}$/);
    expect(setupMail.from).toBe('no-reply@twofold.test');
    // A pending setup is not MFA yet.
    expect((await login(stack, user.username, user.password)).status).toBe('authenticated');

    const confirmed = await http.post('/api/v1/me/mfa/email/confirm', { code: setupMail.code }, { token });
    expect(confirmed.status).toBe(200);
    expect(Object.keys(confirmed.body)).toEqual(['recoveryCodes']);
    expect(confirmed.body.recoveryCodes).toHaveLength(10);
    expect((await http.get('/api/v1/me/mfa', { token })).body).toEqual({ enabled: true, methods: ['email', 'recovery_code'], recoveryCodesRemaining: 10, requiredByAccount: false, emailCodesAllowed: true });

    const challenge = await login(stack, user.username, user.password);
    expect(challenge).toEqual({ status: 'mfa_required', challengeId: expect.any(String), methods: ['email', 'recovery_code'], expiresIn: 300 });
    const before = await mail.lastId();
    const sent = await http.post(SEND, { challengeId: challenge.challengeId });
    expect(sent.status).toBe(202);
    const codeMail = await mail.waitFor(user.email, (m) => m.kind === 'code.sign_in', { after: before });
    expect(codeMail.subject).toBe('Your Twofold code');
    expect(codeMail.text).toContain('Twofold');
    expect(codeMail.html).toContain(codeMail.code);

    const verified = await http.post(VERIFY, { challengeId: challenge.challengeId, method: 'email', code: codeMail.code });
    expect(verified.status).toBe(200);
    expect(claimsOf(verified.body.accessToken)).toMatchObject({ sub: user.id, amr: ['pwd', 'otp', 'mfa'] });

    // "MFA turned on" was mailed too, and no mail ever carries a recovery code.
    const enrolled = await mail.waitFor(user.email, (m) => m.kind === 'notice.enrolled');
    expect(enrolled.text).toContain('email codes');
    expect(enrolled.code).toBeNull();
    const all = JSON.stringify(await mail.messagesTo(user.email));
    for (const recoveryCode of confirmed.body.recoveryCodes) expect(all).not.toContain(recoveryCode);
  });

  it('refuses a wrong code, a code of another sign-in and a reused one; only the latest code works', async () => {
    const { user } = await emailUser();
    const first = await challengeWithCode(user);
    const wrong = await http.post(VERIFY, { challengeId: first.challengeId, method: 'email', code: first.code === '000000' ? '000001' : '000000' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toMatchObject({ code: 'MFA_CODE_INVALID', details: { attemptsRemaining: 4 } });
    expect((await http.post(VERIFY, { challengeId: first.challengeId, method: 'email', code: first.code })).status).toBe(200);

    // Spent with its challenge; and bound to it: useless on another sign-in.
    const again = await http.post(VERIFY, { challengeId: first.challengeId, method: 'email', code: first.code });
    expect(again.body.error.code).toBe('MFA_CHALLENGE_INVALID');
    const second = await challengeWithCode(user);
    const crossed = await http.post(VERIFY, { challengeId: second.challengeId, method: 'email', code: first.code === second.code ? '999999' : first.code });
    expect(crossed.status).toBe(401);
    expect(crossed.body.error.code).toBe('MFA_CODE_INVALID');
    expect((await http.post(VERIFY, { challengeId: second.challengeId, method: 'email', code: second.code })).status).toBe(200);
    // A method the user does not have is refused as such.
    const third = await login(stack, user.username, user.password);
    const totp = await http.post(VERIFY, { challengeId: third.challengeId, method: 'totp', code: '123456' });
    expect(totp.body.error.code).toBe('MFA_METHOD_NOT_ALLOWED');
  });

  it('throttles codes: another within 60 s is 429 RATE_LIMITED with retryAfterSeconds and Retry-After', async () => {
    const { user } = await emailUser();
    const { challengeId } = await challengeWithCode(user);
    const resend = await http.post(SEND, { challengeId });
    expect(resend.status).toBe(429);
    expect(resend.body.error.code).toBe('RATE_LIMITED');
    expect(resend.body.error.details.retryAfterSeconds).toBeGreaterThanOrEqual(55);
    expect(resend.body.error.details.retryAfterSeconds).toBeLessThanOrEqual(60);
    expect(Number(resend.headers.get('retry-after'))).toBe(resend.body.error.details.retryAfterSeconds);
    // Not a live challenge: nothing is sent.
    expect((await http.post(SEND, { challengeId: '00000000-0000-4000-8000-000000000000' })).body.error.code).toBe('MFA_CHALLENGE_INVALID');
    expect((await http.post(SEND, { challengeId: 'nope' })).status).toBe(400);
  });

  it('counts wrong email codes toward the same lockout as TOTP codes, and mails the lock', async () => {
    const account = await createAccount(stack);
    const user = await createUser(stack, account.id);
    const token = await accessToken(stack, user.username, user.password);
    await enrolAuthenticator(stack, token);
    await chooseEmail(user, token);
    const challenge = await login(stack, user.username, user.password);
    expect(challenge.methods).toEqual(['totp', 'email', 'recovery_code']);

    // 5 wrong email codes kill the first challenge; 5 wrong TOTP codes on the next reach the lockout of 10.
    for (let i = 0; i < 5; i++) expect((await http.post(VERIFY, { challengeId: challenge.challengeId, method: 'email', code: '000000' })).status).toBe(401);
    const next = await login(stack, user.username, user.password);
    const answers: number[] = [];
    for (let i = 0; i < 5; i++) answers.push((await http.post(VERIFY, { challengeId: next.challengeId, method: 'totp', code: '000000' })).status);
    expect(answers).toEqual([401, 401, 401, 401, 423]);
    const locked = await mail.waitFor(user.email, (m) => m.kind === 'notice.locked');
    expect(locked.subject).toContain('locked');
    expect(locked.text).toMatch(/locked until \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
  });

  it('offers no email where the account does not allow it; an email-only user then sets up an app if MFA is required', async () => {
    const { account, holderToken } = await accountWithHolder();
    const { user, token } = await emailUser(account.id);
    const other = await createUser(stack, account.id);
    const otherToken = await accessToken(stack, other.username, other.password);
    await setPolicy(account.id, holderToken, { allowEmailCodes: false });

    const refused = await http.post('/api/v1/me/mfa/email', undefined, { token: otherToken });
    expect(refused.body.error.code).toBe('MFA_METHOD_NOT_ALLOWED');
    // Email-only, email not allowed, MFA not required: treated as not enrolled, at sign-in and by the internal check.
    expect((await login(stack, user.username, user.password)).status).toBe('authenticated');
    expect(await mfaRequirement(user.id)).toMatchObject({ required: false, enrolled: false, methods: [] });
    expect((await http.post('/api/v1/me/mfa/email/send', undefined, { token })).body.error.code).toBe('MFA_METHOD_NOT_ALLOWED');

    await setPolicy(account.id, holderToken, { mfaRequired: true, allowEmailCodes: false });
    const setup = await login(stack, user.username, user.password);
    expect(setup).toMatchObject({ status: 'mfa_setup_required', methods: ['totp'] });
    const emailSetup = await http.post('/api/v1/auth/mfa/setup/email', undefined, { token: setup.setupToken });
    expect(emailSetup.body.error.code).toBe('MFA_METHOD_NOT_ALLOWED');
    const { confirmed } = await enrolAuthenticator(stack, setup.setupToken!, { start: '/api/v1/auth/mfa/setup/totp', confirm: '/api/v1/auth/mfa/setup/totp/confirm' });
    expect(confirmed.status).toBe('authenticated');
    // Now an app user: challenged, and email is not offered while it is off.
    const challenge = await login(stack, user.username, user.password);
    expect(challenge).toMatchObject({ status: 'mfa_required', methods: ['totp', 'recovery_code'] });
    const send = await http.post(SEND, { challengeId: challenge.challengeId });
    expect(send.body.error.code).toBe('MFA_METHOD_NOT_ALLOWED');
    // Turned back on, email is offered again.
    await setPolicy(account.id, holderToken, { mfaRequired: true, allowEmailCodes: true });
    expect((await login(stack, user.username, user.password)).methods).toEqual(['totp', 'email', 'recovery_code']);
    expect(await mfaRequirement(user.id)).toMatchObject({ required: true, enrolled: true, methods: ['totp', 'email', 'recovery_code'] });
  });

  it('sets up email codes in the forced setup and signs in with amr pwd, otp and mfa', async () => {
    const { account } = await accountWithHolder({ mfaRequired: true, allowEmailCodes: true });
    const user = await createUser(stack, account.id);
    const setup = await login(stack, user.username, user.password);
    expect(setup).toMatchObject({ status: 'mfa_setup_required', methods: ['totp', 'email'] });
    const after = await mail.lastId();
    const started = await http.post('/api/v1/auth/mfa/setup/email', undefined, { token: setup.setupToken });
    expect(started.status).toBe(202);
    const code = (await mail.waitFor(user.email, (m) => m.kind === 'code.setup', { after })).code;
    const confirmed = await http.post('/api/v1/auth/mfa/setup/email/confirm', { code }, { token: setup.setupToken });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ status: 'authenticated', tokenType: 'Bearer', recoveryCodes: expect.any(Array) });
    expect(claimsOf(confirmed.body.accessToken).amr).toEqual(['pwd', 'otp', 'mfa']);
    expect((await login(stack, user.username, user.password)).methods).toEqual(['email', 'recovery_code']);
  });

  it('mails each notification with the right actor: new recovery codes, turned off, reset by a holder, reset by support', async () => {
    const { account, holder, holderToken } = await accountWithHolder();
    const user = await createUser(stack, account.id);
    const token = await accessToken(stack, user.username, user.password);
    const { authenticator } = await enrolAuthenticator(stack, token);

    expect((await http.post('/api/v1/me/mfa/recovery-codes', { code: authenticator.code(1) }, { token })).status).toBe(200);
    const regenerated = await mail.waitFor(user.email, (m) => m.kind === 'notice.recovery_codes');
    expect(regenerated.subject).toBe('New Twofold recovery codes were created');

    // Turned off by an email-only user, proven with a code mailed for the purpose.
    const { user: emailOnly, token: emailToken } = await emailUser(account.id);
    const after = await mail.lastId();
    expect((await http.post('/api/v1/me/mfa/email/send', undefined, { token: emailToken })).status).toBe(202);
    const manage = await mail.waitFor(emailOnly.email, (m) => m.kind === 'code.manage', { after });
    const removed = await http.request('DELETE', '/api/v1/me/mfa', { code: manage.code }, { token: emailToken });
    expect(removed.status).toBe(204);
    expect((await mail.waitFor(emailOnly.email, (m) => m.kind === 'notice.removed')).text).toContain('turned off');
    expect((await login(stack, emailOnly.username, emailOnly.password)).status).toBe('authenticated');

    // Reset by the holder (named), then by support.
    await chooseEmail(user, token); // beside the app: a reset removes both
    expect((await http.post(`/api/v1/accounts/${account.id}/users/${user.id}/mfa/reset`, undefined, { token: holderToken })).status).toBe(200);
    const byHolder = await mail.waitFor(user.email, (m) => m.kind === 'notice.reset');
    expect(byHolder.text).toContain(`by an account holder of your practice (${holder.username})`);

    const token3 = await accessToken(stack, user.username, user.password);
    await chooseEmail(user, token3);
    const support = await http.post(`/api/v1/support/users/${user.id}/mfa/reset`, { reason: 'Lost phone; verified by call-back' }, { apiKey: stack.supportKey });
    expect(support.status).toBe(200);
    const bySupport = await mail.waitFor(user.email, (m) => m.kind === 'notice.reset' && m.id > byHolder.id);
    expect(bySupport.text).toContain('by Twofold support');
    expect(bySupport.text).not.toContain('Lost phone');
  });

  it('keeps sign-in working while the mail server is down, and delivers the mail once it is back', async () => {
    const appUser = await createUser(stack, (await createAccount(stack)).id);
    const { authenticator } = await enrolAuthenticator(stack, await accessToken(stack, appUser.username, appUser.password));
    await mail.waitFor(appUser.email, (m) => m.kind === 'notice.enrolled');
    const { user } = await emailUser();

    await mail.stopSmtp();
    try {
      // An app user signs in as usual, and a notification waits for the mail server.
      const challenge = await login(stack, appUser.username, appUser.password);
      expect((await http.post(VERIFY, { challengeId: challenge.challengeId, method: 'totp', code: authenticator.code(1) })).status).toBe(200);
      const reset = await http.post(`/api/v1/support/users/${appUser.id}/mfa/reset`, { reason: 'Lost phone' }, { apiKey: stack.supportKey });
      expect(reset.status).toBe(200);
      // "Email me a code" answers at once, mail server or not.
      const emailChallenge = await login(stack, user.username, user.password);
      const started = Date.now();
      expect((await http.post(SEND, { challengeId: emailChallenge.challengeId })).status).toBe(202);
      expect(Date.now() - started).toBeLessThan(1_000);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect((await mail.messagesTo(appUser.email)).some((m) => m.kind === 'notice.reset')).toBe(false);
      expect((await mail.messagesTo(user.email)).some((m) => m.kind === 'code.sign_in')).toBe(false);

      await mail.startSmtp();
      const codeMail = await mail.waitFor(user.email, (m) => m.kind === 'code.sign_in', { timeoutMs: 15_000 });
      expect((await http.post(VERIFY, { challengeId: emailChallenge.challengeId, method: 'email', code: codeMail.code })).status).toBe(200);
      expect((await mail.waitFor(appUser.email, (m) => m.kind === 'notice.reset', { timeoutMs: 15_000 })).text).toContain('by Twofold support');
    } finally {
      await mail.startSmtp();
    }
  }, 45_000);
});
