import { api, createAccount, createUser, e2eStack, login } from '#testing';

/** Sum of the samples of one metric whose labels contain every `key="value"` given. */
function sample(text: string, metric: string, labels: Record<string, string> = {}): number {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${metric}{`) || line.startsWith(`${metric} `))
    .filter((line) => Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`)))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

async function scrape(): Promise<string> {
  const response = await api(e2eStack().baseUrl).get('/metrics');
  expect(response.status).toBe(200);
  return response.body as string;
}

describe('metrics', () => {
  it('serves Prometheus text at /metrics, outside /api/v1 and the OpenAPI document', async () => {
    const response = await fetch(`${e2eStack().baseUrl}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toContain('twofold_process_resident_memory_bytes');
    expect((await api(e2eStack().baseUrl).get('/api/v1/metrics')).status).toBe(404);
    const openapi = await api(e2eStack().baseUrl).get('/docs/openapi.json');
    expect(Object.keys(openapi.body.paths)).not.toContain('/metrics');
  });

  it('times HTTP requests by route template and status class, never by raw URL', async () => {
    const stack = e2eStack();
    await api(stack.baseUrl).get('/api/v1/no-such-route/12345');
    await api(stack.baseUrl).post('/api/v1/auth/login', { username: 'nobody-here', password: 'x' });
    const text = await scrape();
    expect(sample(text, 'twofold_http_request_duration_seconds_count', { route: '/api/v1/auth/login', status_class: '4xx' })).toBeGreaterThan(0);
    expect(text).not.toContain('no-such-route');
  });

  it('counts sign-in outcomes from the events auth publishes', async () => {
    const stack = e2eStack();
    const account = await createAccount(stack);
    const user = await createUser(stack, account.id);
    const before = await scrape();
    await login(stack, user.username, user.password);
    await api(stack.baseUrl).post('/api/v1/auth/login', { username: user.username, password: 'not-the-password' });
    const succeeded = (text: string) => sample(text, 'twofold_sign_ins_total', { status: 'succeeded' });
    const failed = (text: string) => sample(text, 'twofold_sign_ins_total', { status: 'failed', reason: 'invalid_credentials' });
    // Events arrive asynchronously: poll briefly (bounded).
    let after = before;
    for (let i = 0; i < 40 && (succeeded(after) < succeeded(before) + 1 || failed(after) < failed(before) + 1); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      after = await scrape();
    }
    expect(succeeded(after)).toBeGreaterThanOrEqual(succeeded(before) + 1);
    expect(failed(after)).toBeGreaterThanOrEqual(failed(before) + 1);
  });
});
