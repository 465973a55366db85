import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  accessToken,
  api,
  createAccount,
  createHolderAccount,
  createUser,
  e2eStack,
  freePort,
  httpGet,
  ManagedProcess,
  waitUntil,
} from '#testing';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Gateways cache live sessions for a few seconds; auth signals every revocation to every gateway before
 * it answers. These tests attack that with a second gateway whose cache is warm: the ended session must
 * be refused there on the very next request, never seconds later.
 */
describe('sessions across gateways', () => {
  const stack = e2eStack();
  const a = api(stack.baseUrl);
  let second: ManagedProcess;
  let b: ReturnType<typeof api>;

  beforeAll(async () => {
    const port = await freePort();
    second = ManagedProcess.start({
      name: 'gateway-2',
      command: process.execPath,
      args: [join(ROOT, 'dist', 'apps', 'gateway', 'src', 'main.js')],
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: 'test',
        LOG_LEVEL: 'warn',
        HOST: '127.0.0.1',
        PORT: String(port),
        TRUSTED_PROXIES: '127.0.0.1',
        NATS_URL: stack.natsUrl,
        NATS_SUBJECT_PREFIX: stack.prefix,
        // A long cache: without the revocation signal these tests would see the ended session for a minute.
        SESSION_CACHE_TTL_MS: '60000',
      },
      output: { kind: 'file', path: join(stack.logDir, 'gateway-2.log') },
    });
    await waitUntil(async () => ((await httpGet(`http://127.0.0.1:${port}/health/ready`))?.status === 200 ? true : undefined), {
      timeoutMs: 30_000,
      intervalMs: 200,
      describeFailure: () => `the second gateway did not become ready (log: ${join(stack.logDir, 'gateway-2.log')})`,
    });
    b = api(`http://127.0.0.1:${port}`);
  });

  afterAll(async () => {
    await second?.stop(5_000);
  });

  it('refuses a session logged out through another gateway on the next request', async () => {
    const account = await createAccount(stack);
    const user = await createUser(stack, account.id);
    for (let round = 0; round < 10; round++) {
      const token = await accessToken(stack, user.username, user.password);
      expect((await b.get('/api/v1/me', { token })).status).toBe(200);
      expect((await a.get('/api/v1/me', { token })).status).toBe(200);
      expect((await a.post('/api/v1/auth/logout', undefined, { token })).status).toBe(204);
      const onB = await b.get('/api/v1/me', { token });
      expect(onB.status).toBe(401);
      expect(onB.body.error.code).toBe('SESSION_REVOKED');
      expect((await a.get('/api/v1/me', { token })).status).toBe(401);
    }
  });

  it('refuses every session of a user whose MFA a holder reset, on every gateway at once', async () => {
    const { accountId, token: holderToken } = await createHolderAccount(stack);
    const user = await createUser(stack, accountId);
    const tokens = [await accessToken(stack, user.username, user.password), await accessToken(stack, user.username, user.password)];
    for (const token of tokens) {
      expect((await b.get('/api/v1/me', { token })).status).toBe(200);
      expect((await a.get('/api/v1/me', { token })).status).toBe(200);
    }
    const reset = await a.post(`/api/v1/accounts/${accountId}/users/${user.id}/mfa/reset`, undefined, { token: holderToken });
    expect(reset.status).toBe(200);
    for (const token of tokens) {
      expect((await b.get('/api/v1/me', { token })).body.error?.code).toBe('SESSION_REVOKED');
      expect((await a.get('/api/v1/me', { token })).body.error?.code).toBe('SESSION_REVOKED');
    }
    // The holder's own session is untouched.
    expect((await b.get('/api/v1/me', { token: holderToken })).status).toBe(200);
  });

  it('refuses the sessions of a user reset by support, through the other gateway', async () => {
    const account = await createAccount(stack);
    const user = await createUser(stack, account.id);
    const token = await accessToken(stack, user.username, user.password);
    expect((await a.get('/api/v1/me', { token })).status).toBe(200);
    const reset = await b.post(`/api/v1/support/users/${user.id}/mfa/reset`, { reason: 'lost phone, identity checked' }, { apiKey: stack.supportKey });
    expect(reset.status).toBe(200);
    expect((await a.get('/api/v1/me', { token })).body.error?.code).toBe('SESSION_REVOKED');
  });
});
