import { api, createAccount, createUser, e2eStack, login } from '#testing';

describe('health', () => {
  it('reports the gateway process alive', async () => {
    const response = await api(e2eStack().baseUrl).get('/health/live');
    expect(response.status).toBe(200);
  });

  it('reports ready once NATS and every service answer', async () => {
    const response = await api(e2eStack().baseUrl).get('/health/ready');
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
  });
});

describe('e2e harness', () => {
  it('creates an account and a user with the support key, and the user can sign in', async () => {
    const stack = e2eStack();
    const account = await createAccount(stack);
    const user = await createUser(stack, account.id, { role: 'user' });
    const result = await login(stack, user.username, user.password);
    expect(result.status).toBe('authenticated');
    expect(typeof result.accessToken).toBe('string');
  });
});
