import 'reflect-metadata';
import { Controller, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { connect, headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { intRun, isolatedPrefix } from '#testing';
import { DomainError } from '../errors/domain-error.js';
import { requestContext } from '../logging/request-context.js';
import { metricsRegistry } from '../metrics/registry.js';
import { PrefixedServerNats } from './prefixed-nats.js';
import { CLIENT_IP_HEADER, REQUEST_ID_HEADER } from './rpc-client.js';
import { RpcErrorFilter } from './rpc-server.js';

@Controller()
class ProbeHandler {
  @MessagePattern('probe.context')
  async context(): Promise<unknown> {
    await new Promise((resolve) => setTimeout(resolve, 5));
    return requestContext.current() ?? null;
  }

  @MessagePattern('probe.fail')
  fail(@Payload() _data: unknown): never {
    throw new DomainError('USER_NOT_FOUND', 'No such user.');
  }
}

/** What the service transport adds around every handler: the caller's request context, and handler metrics. */
describe('PrefixedServerNats', () => {
  const run = intRun();
  const prefix = isolatedPrefix(run);
  let app: INestMicroservice;
  let caller: NatsConnection;

  beforeAll(async () => {
    app = await NestFactory.createMicroservice({ module: class ProbeModule {}, controllers: [ProbeHandler] } as never, {
      strategy: new PrefixedServerNats(prefix, { servers: run.natsUrl.split(','), queue: 'probe' }),
      logger: false,
    });
    app.useGlobalFilters(new RpcErrorFilter());
    await app.listen();
    caller = await connect({ servers: run.natsUrl.split(',') });
  });

  afterAll(async () => {
    await caller?.close();
    await app?.close();
  });

  const ask = async (pattern: string, h?: Record<string, string>) => {
    const headers = natsHeaders();
    for (const [k, v] of Object.entries(h ?? {})) headers.set(k, v);
    const reply = await caller.request(`${prefix}.${pattern}`, JSON.stringify({ pattern, data: {}, id: 'x1' }), { timeout: 3_000, headers });
    return reply.json<{ response?: unknown; err?: { code: string } }>();
  };

  it("runs each handler in the caller's request context (request id and client IP from the headers)", async () => {
    expect((await ask('probe.context', { [REQUEST_ID_HEADER]: 'trace-1', [CLIENT_IP_HEADER]: '203.0.113.9' })).response).toEqual({ requestId: 'trace-1', ip: '203.0.113.9' });
    // A hostile request id is replaced, never logged as sent.
    const replaced = (await ask('probe.context', { [REQUEST_ID_HEADER]: 'bad id <script>' })).response as { requestId: string };
    // (A fresh UUID, whatever its hex digits happen to spell.)
    expect(replaced.requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('observes every answer by bare subject and result', async () => {
    await ask('probe.context');
    expect((await ask('probe.fail')).err).toMatchObject({ code: 'USER_NOT_FOUND' });
    const text = await metricsRegistry().metrics();
    expect(text).toMatch(/twofold_nats_handler_duration_seconds_count\{[^}]*subject="probe\.context"[^}]*result="ok"[^}]*\} [1-9]/);
    expect(text).toMatch(/twofold_nats_handler_duration_seconds_count\{[^}]*subject="probe\.fail"[^}]*result="USER_NOT_FOUND"[^}]*\} 1/);
  });
});
