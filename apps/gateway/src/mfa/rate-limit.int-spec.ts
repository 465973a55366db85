import type { INestMicroservice } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { bootstrapService } from '#common';
import { intEnv, isolatedPrefix } from '#testing';
import { loadAuthConfig } from '../../../auth/src/auth.config.js';
import { AuthModule } from '../../../auth/src/auth.module.js';
import { createGateway } from '../gateway.app.js';
import { loadGatewayConfig } from '../gateway.config.js';

/** The per-IP limits as an HTTP client sees them: 429 RATE_LIMITED with Retry-After, per client address. */
describe('per-IP rate limits over HTTP', () => {
  const prefix = isolatedPrefix();
  const env = intEnv({
    NATS_SUBJECT_PREFIX: prefix,
    LOG_LEVEL: 'silent',
    API_DOCS: 'false',
    TRUSTED_PROXIES: '127.0.0.1',
    LOGIN_RATE_LIMIT_PER_MINUTE: '2',
    MFA_VERIFY_RATE_LIMIT_PER_MINUTE: '2',
  });
  let auth: INestMicroservice;
  let gateway: NestFastifyApplication;
  let baseUrl: string;

  beforeAll(async () => {
    const authConfig = loadAuthConfig(env);
    auth = await bootstrapService({ name: 'auth', module: AuthModule.forRoot(authConfig), natsUrl: authConfig.NATS_URL, subjectPrefix: prefix, logLevel: 'silent' });
    gateway = await createGateway(loadGatewayConfig(env));
    await gateway.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = (await gateway.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterAll(async () => {
    await gateway?.close();
    await auth?.close();
  }, 15_000);

  const post = async (path: string, body: unknown, clientIp: string) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': clientIp },
      body: JSON.stringify(body),
    });
    return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as { error: { code: string; details?: Record<string, unknown> } } };
  };
  const clientIp = () => `203.0.113.${1 + Math.floor(Math.random() * 254)}`;
  const insideOneWindow = async () => {
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 55_000) await new Promise((resolve) => setTimeout(resolve, 60_500 - intoMinute));
  };

  it('answers 429 RATE_LIMITED with Retry-After past the login limit of one client address', async () => {
    await insideOneWindow();
    const ip = `2001:db8::${randomUUID().slice(0, 4)}`;
    const attempt = () => post('/api/v1/auth/login', { username: `nobody-${randomUUID()}`, password: 'wrong password' }, ip);
    expect((await attempt()).status).toBe(401);
    expect((await attempt()).status).toBe(401);
    const limited = await attempt();
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    const retryAfter = Number(limited.retryAfter);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.body.error.details?.retryAfterSeconds).toBe(retryAfter);
    // Another client address has its own budget.
    expect((await post('/api/v1/auth/login', { username: 'nobody', password: 'wrong password' }, clientIp())).status).toBe(401);
  });

  it('limits second-factor attempts of one client address the same way', async () => {
    await insideOneWindow();
    const ip = `2001:db8::${randomUUID().slice(0, 4)}`;
    const attempt = () => post('/api/v1/auth/mfa/verify', { challengeId: randomUUID(), method: 'totp', code: '123456' }, ip);
    expect((await attempt()).body.error.code).toBe('MFA_CHALLENGE_INVALID');
    expect((await attempt()).body.error.code).toBe('MFA_CHALLENGE_INVALID');
    const limited = await attempt();
    expect(limited.status).toBe(429);
    expect(limited.retryAfter).toMatch(/^\d+$/);
  });
});
