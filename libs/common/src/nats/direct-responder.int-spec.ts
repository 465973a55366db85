import { connect, type NatsConnection } from '@nats-io/transport-node';
import { intRun, isolatedPrefix } from '#testing';
import { DomainError } from '../errors/domain-error.js';
import { DirectResponder } from './direct-responder.js';
import { PrefixedClientNats } from './prefixed-nats.js';
import { rpc } from './subject.js';

interface Echo {
  text: string;
  delayMs?: number;
}

const subject = rpc<Echo, { said: string }>('test.direct.echo');

function parse(data: unknown): Echo {
  if (typeof data !== 'object' || data === null || typeof (data as Echo).text !== 'string') {
    throw new DomainError('VALIDATION_FAILED', 'The request is invalid.', { problems: ['text: must be a string'] });
  }
  return data as Echo;
}

/** A subject answered outside Nest's pipeline keeps the Nest handler contract, on the real NATS. */
describe('DirectResponder', () => {
  const run = intRun();
  const prefix = isolatedPrefix(run);
  let client: PrefixedClientNats;
  let caller: NatsConnection;
  let responder: DirectResponder<Echo, { said: string }>;

  const ask = async (data: unknown, id: string | null = 'r1', timeout = 3_000) => {
    const reply = await caller.request(`${prefix}.${subject.name}`, JSON.stringify({ pattern: subject.name, data, ...(id ? { id } : {}) }), { timeout });
    return reply.json<{ id: string; response?: unknown; err?: { code: string; details?: Record<string, unknown> }; isDisposed: boolean }>();
  };

  beforeEach(async () => {
    client = new PrefixedClientNats(prefix, { servers: run.natsUrl.split(',') } as ConstructorParameters<typeof PrefixedClientNats>[1]);
    caller = await connect({ servers: run.natsUrl.split(',') });
    responder = new DirectResponder({
      nats: client,
      subject,
      queue: 'test',
      parse,
      handle: async ({ text, delayMs }) => {
        if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
        if (text === 'domain') throw new DomainError('USER_NOT_FOUND', 'No such user.');
        if (text === 'bug') throw new Error('secret detail');
        return { said: text };
      },
    });
    await responder.start();
  });

  afterEach(async () => {
    await responder.stop(100);
    await caller.close();
    await client.close();
  });

  it('answers in Nest packet format with the request id', async () => {
    expect(await ask({ text: 'hello' }, 'abc')).toEqual({ id: 'abc', response: { said: 'hello' }, isDisposed: true });
  });

  it('answers bad payloads, domain errors and bugs with the same error bodies as Nest handlers', async () => {
    expect((await ask({ text: 42 })).err).toMatchObject({ code: 'VALIDATION_FAILED', details: { problems: ['text: must be a string'] } });
    expect((await ask({ text: 'domain' })).err).toMatchObject({ code: 'USER_NOT_FOUND' });
    const bug = await ask({ text: 'bug' });
    expect(bug.err).toMatchObject({ code: 'INTERNAL', details: { correlationId: expect.any(String) } });
    expect(JSON.stringify(bug)).not.toContain('secret detail');
    let deep: unknown = { text: 'x' };
    for (let i = 0; i < 40; i++) deep = [deep];
    expect((await ask(deep)).err).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('ignores a packet without an id (an event: nobody waits) and garbage that is not JSON', async () => {
    await expect(ask({ text: 'event' }, null, 300)).rejects.toThrow();
    await expect(caller.request(`${prefix}.${subject.name}`, 'not json {', { timeout: 300 })).rejects.toThrow();
    expect((await ask({ text: 'still here' })).response).toEqual({ said: 'still here' });
  });

  it('on stop, takes no new request but lets the answers in flight go out', async () => {
    const inFlight = ask({ text: 'slow', delayMs: 300 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await responder.stop(2_000);
    expect((await inFlight).response).toEqual({ said: 'slow' });
    await expect(ask({ text: 'late' }, 'r2', 500)).rejects.toThrow();
  });
});
