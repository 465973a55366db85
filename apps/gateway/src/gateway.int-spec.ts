import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { connect } from '@nats-io/transport-node';
import { intEnv, intRun, isolatedPrefix } from '#testing';
import { createGateway } from './gateway.app.js';
import { loadGatewayConfig } from './gateway.config.js';

/** A gateway on the real NATS, under a subject prefix no service serves: every upstream call goes unanswered. */
describe('gateway with no service answering', () => {
  let app: NestFastifyApplication;
  let baseUrl: string;
  const prefix = isolatedPrefix();

  beforeAll(async () => {
    const config = loadGatewayConfig(intEnv({ NATS_SUBJECT_PREFIX: prefix, RPC_TIMEOUT_MS: '300', LOG_LEVEL: 'silent', API_DOCS: 'false' }));
    app = await createGateway(config);
    await app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = await app.getUrl();
  });

  afterAll(async () => {
    await app?.close();
  });

  // Over a real socket: Fastify's inject() pulls in an ESM-only dependency that jest's VM cannot load.
  const inject = async (options: { method: 'GET' | 'POST'; url: string; payload?: unknown; headers?: Record<string, string> }) => {
    const response = await fetch(`${baseUrl.replace('[::1]', '127.0.0.1')}${options.url}`, {
      method: options.method,
      headers: { ...(options.payload ? { 'content-type': 'application/json' } : {}), ...options.headers },
      body: options.payload ? JSON.stringify(options.payload) : undefined,
    });
    const text = await response.text();
    return { statusCode: response.status, headers: Object.fromEntries(response.headers), json: () => JSON.parse(text) };
  };

  it('answers 503 SERVICE_UNAVAILABLE at once when no replica of the service is listening', async () => {
    const started = Date.now();
    const response = await inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'a', password: 'b' } });
    expect(response.statusCode).toBe(503);
    expect(response.json().error.code).toBe('SERVICE_UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('answers 504 SERVICE_TIMEOUT instead of hanging when a replica takes the request and never replies', async () => {
    const nc = await connect({ servers: intRun().natsUrl });
    const sub = nc.subscribe(`${prefix}.auth.login`, { callback: () => undefined });
    await nc.flush();
    try {
      const started = Date.now();
      const response = await inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'a', password: 'b' } });
      expect(response.statusCode).toBe(504);
      expect(response.json().error.code).toBe('SERVICE_TIMEOUT');
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      sub.unsubscribe();
      await nc.close();
    }
  });

  it('is live but not ready, and says which services are down', async () => {
    expect((await inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
    const ready = await inject({ method: 'GET', url: '/health/ready' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({ status: 'unavailable', services: { auth: 'down', mfa: 'down', accounts: 'down' } });
  });

  it('rejects bad input at the edge without calling any service', async () => {
    const response = await inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'a' } });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('VALIDATION_FAILED');
  });

  it('carries the request id back in a header and in the error', async () => {
    const response = await inject({ method: 'GET', url: '/api/v1/me', headers: { 'x-request-id': 'trace-abc-123' } });
    expect(response.statusCode).toBe(401);
    expect(response.headers['x-request-id']).toBe('trace-abc-123');
    expect(response.json().error.requestId).toBe('trace-abc-123');
  });
});
