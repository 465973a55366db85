import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import pg from 'pg';
import { join } from 'node:path';
import {
  accessToken,
  api,
  createAccount,
  createUser,
  e2eStack,
  enrolAuthenticator,
  login,
  secretOfOtpauthUrl,
  totpCodeFor,
  uniqueSuffix,
  type ApiResponse,
  type TestAuthenticator,
  type UserCredentials,
} from '#testing';

/**
 * Authenticator (TOTP) MFA over HTTP through the gateway, with all services running: setup, the sign-in
 * challenge, recovery codes, the replay guard, lockout, and what never leaves the service.
 */
describe('authenticator MFA (TOTP)', () => {
  const stack = e2eStack();
  const http = api(stack.baseUrl);
  const VERIFY = '/api/v1/auth/mfa/verify';

  /** Codes of the current step and the next are used by a test: start with enough of the step left. */
  async function freshStep(minSecondsLeft = 6): Promise<void> {
    const left = 30 - ((Date.now() / 1000) % 30);
    if (left < minSecondsLeft) await new Promise((resolve) => setTimeout(resolve, left * 1000 + 200));
  }

  async function newUser(options: { username?: string } = {}): Promise<{ user: UserCredentials; token: string }> {
    const account = await createAccount(stack);
    const user = await createUser(stack, account.id, options);
    return { user, token: await accessToken(stack, user.username, user.password) };
  }

  /** A user with a confirmed authenticator (confirmed with the current step's code). */
  async function enrolledUser(): Promise<{ user: UserCredentials; token: string; authenticator: TestAuthenticator }> {
    await freshStep();
    const { user, token } = await newUser();
    const { authenticator } = await enrolAuthenticator(stack, token);
    return { user, token, authenticator };
  }

  async function challengeFor(user: UserCredentials): Promise<string> {
    const result = await login(stack, user.username, user.password);
    expect(result).toMatchObject({ status: 'mfa_required', challengeId: expect.any(String) });
    expect(result.accessToken).toBeUndefined();
    return result.challengeId!;
  }

  const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());

  it('sets up an authenticator, then signs in through a challenge with amr pwd, otp and mfa', async () => {
    await freshStep();
    const { user, token } = await newUser();
    expect((await http.get('/api/v1/me/mfa', { token })).body).toEqual({ enabled: false, methods: [], recoveryCodesRemaining: 0, requiredByAccount: false, emailCodesAllowed: true });

    const started = await http.post('/api/v1/me/mfa/totp', undefined, { token });
    expect(started.status).toBe(200);
    const secret = secretOfOtpauthUrl(started.body.otpauthUrl);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/); // 160 bits
    expect(started.body.otpauthUrl).toBe(
      `otpauth://totp/Twofold:${encodeURIComponent(user.username)}?secret=${secret}&issuer=Twofold&algorithm=SHA1&digits=6&period=30`,
    );
    expect(started.body.qrCode).toMatch(/^data:image\/png;base64,[A-Za-z0-9+/]+=*$/);
    expect(started.body.manualKey.replace(/ /g, '')).toBe(secret);
    expect(started.body.manualKey).toMatch(/^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$/);
    expect(started.body.expiresIn).toBe(600);
    // A pending setup is not MFA yet: the password alone still signs in.
    expect((await login(stack, user.username, user.password)).status).toBe('authenticated');

    const wrong = await http.post('/api/v1/me/mfa/totp/confirm', { code: totpCodeFor(secret, 5) }, { token });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('MFA_CODE_INVALID');

    const confirmed = await http.post('/api/v1/me/mfa/totp/confirm', { code: totpCodeFor(secret, -1) }, { token });
    expect(confirmed.status).toBe(200);
    expect(Object.keys(confirmed.body)).toEqual(['recoveryCodes']);
    expect(confirmed.body.recoveryCodes).toHaveLength(10);
    for (const code of confirmed.body.recoveryCodes) expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
    expect((await http.get('/api/v1/me/mfa', { token })).body).toEqual({ enabled: true, methods: ['totp', 'recovery_code'], recoveryCodesRemaining: 10, requiredByAccount: false, emailCodesAllowed: true });

    const challenge = await login(stack, user.username, user.password);
    expect(challenge).toEqual({ status: 'mfa_required', challengeId: expect.any(String), methods: ['totp', 'recovery_code'], expiresIn: 300 });
    const verified = await http.post(VERIFY, { challengeId: challenge.challengeId, method: 'totp', code: totpCodeFor(secret) });
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ status: 'authenticated', accessToken: expect.any(String), tokenType: 'Bearer' });
    expect(claimsOf(verified.body.accessToken)).toMatchObject({ sub: user.id, amr: ['pwd', 'otp', 'mfa'] });
    expect((await http.get('/api/v1/me', { token: verified.body.accessToken })).status).toBe(200);
  });

  it('never gives a user with MFA a session token from /auth/login alone', async () => {
    const { user } = await enrolledUser();
    for (let i = 0; i < 3; i++) {
      const response = await http.post('/api/v1/auth/login', { username: user.username, password: user.password });
      expect(response.status).toBe(200);
      expect(Object.keys(response.body).sort()).toEqual(['challengeId', 'expiresIn', 'methods', 'status']);
      expect(response.body.status).toBe('mfa_required');
    }
    // A challenge id is not a token.
    const challengeId = await challengeFor(user);
    expect((await http.get('/api/v1/me', { token: challengeId })).status).toBe(401);
  });

  it('shows no secret and no code in any answer or log after confirmation', async () => {
    const { user, token, authenticator } = await enrolledUser();
    const answers: unknown[] = [];
    answers.push((await http.get('/api/v1/me/mfa', { token })).body);
    const again = await http.post('/api/v1/me/mfa/totp', undefined, { token });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('MFA_ALREADY_ENABLED');
    answers.push(again.body);
    const challenge = await login(stack, user.username, user.password);
    answers.push(challenge);
    const code = authenticator.code(1);
    const verified = await http.post(VERIFY, { challengeId: challenge.challengeId, method: 'totp', code });
    answers.push(verified.body);
    const text = JSON.stringify(answers);
    expect(text).not.toContain(authenticator.secret);
    expect(text).not.toContain(code);
    for (const recoveryCode of authenticator.recoveryCodes) expect(text).not.toContain(recoveryCode);

    // Give the services a moment to write their logs, then read them all.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const logs = readdirSync(stack.logDir).map((file) => readFileSync(join(stack.logDir, file), 'utf8')).join('\n');
    expect(logs).not.toContain(authenticator.secret);
    for (const recoveryCode of authenticator.recoveryCodes) expect(logs).not.toContain(recoveryCode);
  });

  it('spends a challenge once: replaying a spent challenge fails', async () => {
    const { user, authenticator } = await enrolledUser();
    const challengeId = await challengeFor(user);
    expect((await http.post(VERIFY, { challengeId, method: 'totp', code: authenticator.code(1) })).status).toBe(200);
    const replay = await http.post(VERIFY, { challengeId, method: 'recovery_code', code: authenticator.recoveryCodes[0] });
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('MFA_CHALLENGE_INVALID');
    const unknown = await http.post(VERIFY, { challengeId: '00000000-0000-4000-8000-000000000000', method: 'totp', code: '123456' });
    expect(unknown.body.error.code).toBe('MFA_CHALLENGE_INVALID');
  });

  it('lets a challenge live 5 minutes: an expired one is refused even with the right code', async () => {
    const { user, authenticator } = await enrolledUser();
    const challengeId = await challengeFor(user);
    const db = new pg.Client({ connectionString: stack.databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query(`SELECT extract(epoch FROM expires_at - created_at)::int AS ttl FROM auth.challenges WHERE id = $1`, [challengeId]);
      expect(rows[0].ttl).toBe(300);
      // Five minutes pass (the database's clock is the one auth reads).
      await db.query(`UPDATE auth.challenges SET created_at = created_at - interval '5 minutes', expires_at = expires_at - interval '5 minutes' WHERE id = $1`, [challengeId]);
    } finally {
      await db.end();
    }
    const late = await http.post(VERIFY, { challengeId, method: 'totp', code: authenticator.code(1) });
    expect(late.status).toBe(401);
    expect(late.body.error.code).toBe('MFA_CHALLENGE_INVALID');
  });

  it('kills a challenge after 5 wrong codes', async () => {
    const { user, authenticator } = await enrolledUser();
    const challengeId = await challengeFor(user);
    const wrong = authenticator.code(1) === '000000' ? '000001' : '000000';
    for (let remaining = 4; remaining >= 0; remaining--) {
      const response = await http.post(VERIFY, { challengeId, method: 'totp', code: wrong });
      expect(response.status).toBe(401);
      expect(response.body.error).toMatchObject({ code: 'MFA_CODE_INVALID', details: { attemptsRemaining: remaining } });
    }
    const right = await http.post(VERIFY, { challengeId, method: 'totp', code: authenticator.code(1) });
    expect(right.status).toBe(401);
    expect(right.body.error.code).toBe('MFA_CHALLENGE_INVALID');
    // The user is not locked out by one dead challenge: a new sign-in works.
    expect((await http.post(VERIFY, { challengeId: await challengeFor(user), method: 'totp', code: authenticator.code(1) })).status).toBe(200);
  });

  it('accepts a TOTP time step only once: 20 parallel verifies of one code on 20 challenges give exactly one session', async () => {
    const { user, authenticator } = await enrolledUser();
    const challenges = await Promise.all(Array.from({ length: 20 }, () => challengeFor(user)));
    const code = authenticator.code(1);
    const responses = await Promise.all(challenges.map((challengeId) => http.post(VERIFY, { challengeId, method: 'totp', code })));
    const sessions = responses.filter((r) => r.status === 200);
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.body.accessToken).toEqual(expect.any(String));
    for (const r of responses.filter((r) => r.status !== 200)) expect(r.body.error.code).toBe('MFA_CODE_INVALID');
  });

  it('spends one challenge exactly once when raced with different right codes: one session, no session without the spend', async () => {
    const { user, authenticator } = await enrolledUser();
    const challengeId = await challengeFor(user);
    const codes = authenticator.recoveryCodes.slice(5, 10);
    const responses = await Promise.all(codes.map((code) => http.post(VERIFY, { challengeId, method: 'recovery_code', code })));
    expect(responses.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of responses.filter((r) => r.status !== 200)) expect(r.body.error.code).toBe('MFA_CHALLENGE_INVALID');
    const db = new pg.Client({ connectionString: stack.databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query(`SELECT count(*)::int AS n FROM auth.sessions WHERE user_id = $1 AND 'mfa' = ANY(amr)`, [user.id]);
      expect(rows[0].n).toBe(1);
      const spent = await db.query(`SELECT spent_at FROM auth.challenges WHERE id = $1`, [challengeId]);
      expect(spent.rows[0].spent_at).not.toBeNull();
    } finally {
      await db.end();
    }
  });

  it('takes a recovery code once, even when raced, as typed in any case without dashes', async () => {
    const { user, token, authenticator } = await enrolledUser();
    const challenges = await Promise.all(Array.from({ length: 5 }, () => challengeFor(user)));
    const typed = authenticator.recoveryCodes[3]!.replace(/-/g, '').toLowerCase();
    const responses = await Promise.all(challenges.map((challengeId) => http.post(VERIFY, { challengeId, method: 'recovery_code', code: typed })));
    const sessions = responses.filter((r) => r.status === 200);
    expect(sessions).toHaveLength(1);
    expect(claimsOf(sessions[0]!.body.accessToken).amr).toEqual(['pwd', 'otp', 'mfa']);
    expect((await http.get('/api/v1/me/mfa', { token })).body.recoveryCodesRemaining).toBe(9);
    const again = await http.post(VERIFY, { challengeId: await challengeFor(user), method: 'recovery_code', code: authenticator.recoveryCodes[3] });
    expect(again.body.error.code).toBe('MFA_CODE_INVALID');
  });

  it('locks the second factor after 10 wrong codes: open challenges die and even the right code is refused', async () => {
    const { user, authenticator } = await enrolledUser();
    const spare = await challengeFor(user);
    const wrong = authenticator.code(1) === '000000' ? '000001' : '000000';
    let last: ApiResponse | undefined;
    for (let i = 0; i < 2; i++) {
      const challengeId = await challengeFor(user);
      for (let j = 0; j < 5; j++) last = await http.post(VERIFY, { challengeId, method: 'totp', code: wrong });
    }
    expect(last!.status).toBe(423);
    expect(last!.body.error.code).toBe('MFA_LOCKED');
    const lockedUntil = Date.parse(last!.body.error.details.lockedUntil);
    expect(lockedUntil - Date.now()).toBeGreaterThan(14 * 60_000);
    expect(lockedUntil - Date.now()).toBeLessThanOrEqual(15 * 60_000);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(14 * 60);

    const onSpare = await http.post(VERIFY, { challengeId: spare, method: 'totp', code: authenticator.code(1) });
    expect(onSpare.status).toBe(401);
    expect(onSpare.body.error.code).toBe('MFA_CHALLENGE_INVALID');
    const fresh = await http.post(VERIFY, { challengeId: await challengeFor(user), method: 'totp', code: authenticator.code(1) });
    expect(fresh.status).toBe(423);
    const withRecovery = await http.post(VERIFY, { challengeId: await challengeFor(user), method: 'recovery_code', code: authenticator.recoveryCodes[0] });
    expect(withRecovery.status).toBe(423);
  });

  it('removes MFA only with a current code, and replaces the recovery codes with one', async () => {
    await freshStep();
    const { user, token } = await newUser();
    const started = await http.post('/api/v1/me/mfa/totp', undefined, { token });
    const secret = secretOfOtpauthUrl(started.body.otpauthUrl);
    const first = await http.post('/api/v1/me/mfa/totp/confirm', { code: totpCodeFor(secret, -1) }, { token });

    const regenerated = await http.post('/api/v1/me/mfa/recovery-codes', { code: totpCodeFor(secret) }, { token });
    expect(regenerated.status).toBe(200);
    expect(regenerated.body.recoveryCodes).toHaveLength(10);
    expect(regenerated.body.recoveryCodes).not.toContain(first.body.recoveryCodes[0]);
    const oldCode = await http.post(VERIFY, { challengeId: await challengeFor(user), method: 'recovery_code', code: first.body.recoveryCodes[0] });
    expect(oldCode.body.error.code).toBe('MFA_CODE_INVALID');

    const noCode = await http.request('DELETE', '/api/v1/me/mfa', {}, { token });
    expect(noCode.status).toBe(400);
    expect(noCode.body.error.code).toBe('VALIDATION_FAILED');
    const replayed = await http.request('DELETE', '/api/v1/me/mfa', { code: totpCodeFor(secret) }, { token });
    expect(replayed.status).toBe(401);
    const removed = await http.request('DELETE', '/api/v1/me/mfa', { code: totpCodeFor(secret, 1) }, { token });
    expect(removed.status).toBe(204);
    expect((await http.get('/api/v1/me/mfa', { token })).body).toEqual({ enabled: false, methods: [], recoveryCodesRemaining: 0, requiredByAccount: false, emailCodesAllowed: true });
    expect((await login(stack, user.username, user.password)).status).toBe('authenticated');
  });

  it('refuses to remove the authenticator while the account requires MFA', async () => {
    await freshStep();
    const account = await createAccount(stack);
    const holder = await createUser(stack, account.id, { role: 'holder' });
    const holderToken = await accessToken(stack, holder.username, holder.password);
    const user = await createUser(stack, account.id);
    const token = await accessToken(stack, user.username, user.password);
    const { authenticator } = await enrolAuthenticator(stack, token);
    const required = await http.put(`/api/v1/accounts/${account.id}/security-settings`, { mfaRequired: true, allowEmailCodes: false, ipSafelist: [] }, { token: holderToken });
    expect(required.status).toBe(200);

    const refused = await http.request('DELETE', '/api/v1/me/mfa', { code: authenticator.code(1) }, { token });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('MFA_REQUIRED_BY_ACCOUNT');
    // The user is told up front, from the gateway's policy cache (replaced by the policy.changed event).
    expect((await http.get('/api/v1/me/mfa', { token })).body).toMatchObject({ enabled: true, requiredByAccount: true, emailCodesAllowed: false });
    // The refusal did not spend the code: it still signs in.
    expect((await http.post(VERIFY, { challengeId: await challengeFor(user), method: 'totp', code: authenticator.code(1) })).status).toBe(200);
  });

  it('answers malformed codes and challenges with VALIDATION_FAILED', async () => {
    const { token } = await newUser();
    const challengeId = '00000000-0000-4000-8000-000000000000';
    const bad: unknown[] = [
      { challengeId, method: 'totp', code: 123456 },
      { challengeId, method: 'totp', code: '12345' },
      { challengeId, method: 'totp', code: '1234567' },
      { challengeId, method: 'totp', code: 'ABCD-EFGH-JKMN-PQRS' },
      { challengeId, method: 'recovery_code', code: '123456' },
      { challengeId, method: 'sms', code: '123456' },
      { challengeId: 'not-a-uuid', method: 'totp', code: '123456' },
      { method: 'totp', code: '123456' },
      { challengeId, method: 'totp', code: '123456', extra: true },
      { challengeId, method: 'totp', code: ['123456'] },
    ];
    for (const body of bad) {
      const response = await http.post(VERIFY, body);
      expect({ body, status: response.status, code: response.body.error?.code }).toEqual({ body, status: 400, code: 'VALIDATION_FAILED' });
    }
    for (const code of [123456, '12 3456', null]) {
      const response = await http.post('/api/v1/me/mfa/totp/confirm', { code }, { token });
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('VALIDATION_FAILED');
    }
    const notStarted = await http.post('/api/v1/me/mfa/totp/confirm', { code: '123456' }, { token });
    expect(notStarted.status).toBe(409);
    expect(notStarted.body.error.code).toBe('MFA_SETUP_NOT_STARTED');
    expect((await http.post('/api/v1/me/mfa/totp', undefined, {})).status).toBe(401);
  });

  describe('with independent tools (Debian oathtool and zbarimg)', () => {
    const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
    const missing = ['oathtool', 'zbarimg'].filter((tool) => !has(tool));
    const itWithTools = missing.length === 0 ? it : it.skip;
    if (missing.length) {
      process.stderr.write(`\nSKIPPED: the oathtool/zbarimg interoperability test needs ${missing.join(' and ')} (apt-get install oathtool zbar-tools)\n`);
    }

    itWithTools('accepts a code from oathtool, and the QR code decodes to exactly the otpauth URL', async () => {
      await freshStep();
      const { user, token } = await newUser({ username: `Zoë O'Brien: #1 & co/? ${uniqueSuffix(6)}` });
      const started = await http.post('/api/v1/me/mfa/totp', undefined, { token });
      expect(started.status).toBe(200);

      const dir = mkdtempSync(join(tmpdir(), 'twofold-qr-'));
      try {
        const png = join(dir, 'qr.png');
        writeFileSync(png, Buffer.from(started.body.qrCode.replace(/^data:image\/png;base64,/, ''), 'base64'));
        const decoded = execFileSync('zbarimg', ['--raw', '-q', png], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).replace(/\n$/, '');
        expect(decoded).toBe(started.body.otpauthUrl);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }

      const secret = started.body.manualKey.replace(/ /g, '');
      const oathCode = () => execFileSync('oathtool', ['--totp', '-b', secret], { encoding: 'utf8' }).trim();
      const confirmed = await http.post('/api/v1/me/mfa/totp/confirm', { code: oathCode() }, { token });
      expect(confirmed.status).toBe(200);
      // Sign in with oathtool's code for the next step (the current one was just used to confirm).
      const next = execFileSync('oathtool', ['--totp', '-b', secret, '--now', new Date(Date.now() + 30_000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC')], { encoding: 'utf8' }).trim();
      const verified = await http.post(VERIFY, { challengeId: await challengeFor(user), method: 'totp', code: next });
      expect(verified.status).toBe(200);
    });
  });
});
