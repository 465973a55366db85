import { connect, type NatsConnection } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';
import { accessToken, api, createAccount, createUser, e2eStack, enrolAuthenticator } from '#testing';

/**
 * `accounts.mfa-requirement.get` as a service that is not written with Nest calls it: the plain NATS
 * client, a raw request with Nest's packet, exactly as docs/policy.md shows.
 */
describe('internal MFA requirement check over raw NATS', () => {
  const stack = e2eStack();
  let nc: NatsConnection;

  beforeAll(async () => {
    nc = await connect({ servers: stack.natsUrl.split(',') });
  });
  afterAll(async () => {
    await nc?.close();
  });

  async function ask(data: unknown): Promise<Record<string, unknown>> {
    const id = randomUUID();
    const reply = await nc.request(
      `${stack.prefix}.accounts.mfa-requirement.get`,
      JSON.stringify({ pattern: 'accounts.mfa-requirement.get', data, id }),
      { timeout: 5_000 },
    );
    const body = reply.json<Record<string, unknown>>();
    expect(body.id).toBe(id);
    expect(body.isDisposed).toBe(true);
    return body;
  }

  it('answers {userId, accountId, required, enrolled, methods}, following the policy and the enrolment', async () => {
    const account = await createAccount(stack);
    const holder = await createUser(stack, account.id, { role: 'holder' });
    const user = await createUser(stack, account.id);
    const other = await createUser(stack, account.id);

    expect((await ask({ userId: user.id })).response).toEqual({ userId: user.id, accountId: account.id, required: false, enrolled: false, methods: [] });

    await enrolAuthenticator(stack, await accessToken(stack, user.username, user.password));
    // The answer was cached above; mfa's signal cleared it before the enrolment was acknowledged.
    const enrolled = (await ask({ userId: user.id })).response as { required: boolean; enrolled: boolean; methods: string[] };
    expect(enrolled).toMatchObject({ required: false, enrolled: true });
    expect(enrolled.methods).toContain('totp');

    const holderToken = await accessToken(stack, holder.username, holder.password);
    const put = await api(stack.baseUrl).put(`/api/v1/accounts/${account.id}/security-settings`, { mfaRequired: true, allowEmailCodes: true, ipSafelist: [] }, { token: holderToken });
    expect(put.status).toBe(200);
    expect((await ask({ userId: user.id })).response).toMatchObject({ required: true, enrolled: true });
    expect((await ask({ userId: other.id })).response).toEqual({ userId: other.id, accountId: account.id, required: true, enrolled: false, methods: [] });
  });

  it('follows an enrolment, a removal and a holder’s reset at once (mfa signals before it answers)', async () => {
    const account = await createAccount(stack);
    const holder = await createUser(stack, account.id, { role: 'holder' });
    const user = await createUser(stack, account.id);
    const token = await accessToken(stack, user.username, user.password);
    const enrolledAnswer = async () => (await ask({ userId: user.id })).response as { enrolled: boolean };

    expect((await enrolledAnswer()).enrolled).toBe(false);
    const { authenticator } = await enrolAuthenticator(stack, token);
    expect((await enrolledAnswer()).enrolled).toBe(true);
    const removed = await api(stack.baseUrl).request('DELETE', '/api/v1/me/mfa', { code: authenticator.code(1) }, { token });
    expect(removed.status).toBe(204);
    expect((await enrolledAnswer()).enrolled).toBe(false);

    await enrolAuthenticator(stack, token);
    expect((await enrolledAnswer()).enrolled).toBe(true);
    const holderToken = await accessToken(stack, holder.username, holder.password);
    const reset = await api(stack.baseUrl).post(`/api/v1/accounts/${account.id}/users/${user.id}/mfa/reset`, undefined, { token: holderToken });
    expect(reset.status).toBeLessThan(300);
    // The reset went through this accounts replica: its answer changed before the reset was acknowledged.
    expect((await ask({ userId: user.id })).response).toEqual({ userId: user.id, accountId: account.id, required: false, enrolled: false, methods: [] });
  });

  it('answers an unknown user with the error code USER_NOT_FOUND, and a bad payload with VALIDATION_FAILED', async () => {
    const unknown = await ask({ userId: '00000000-0000-4000-8000-000000000000' });
    expect(unknown.response).toBeUndefined();
    expect(unknown.err).toEqual({ code: 'USER_NOT_FOUND', message: 'No such user.' });

    for (const data of [{ userId: 'nope' }, {}, { userId: randomUUID(), extra: 1 }]) {
      const bad = await ask(data);
      expect((bad.err as { code: string }).code).toBe('VALIDATION_FAILED');
    }
  });

  it('answers fast enough to be called on every request of another service', async () => {
    const account = await createAccount(stack);
    const user = await createUser(stack, account.id);
    await ask({ userId: user.id });
    const started = performance.now();
    const rounds = 50;
    for (let i = 0; i < rounds; i++) await ask({ userId: user.id });
    const meanMs = (performance.now() - started) / rounds;
    // Generous for a shared CI machine; typically a few milliseconds.
    expect(meanMs).toBeLessThan(50);
  });
});
