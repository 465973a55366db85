/**
 * Property-based fuzzing of every NATS subject in libs/contracts, straight onto the bus as another
 * (careless or hostile) internal caller would: Nest's packet `{pattern, data, id}` on
 * `<prefix>.<subject>` with hostile data, mismatched patterns, and packets that are not packets at all.
 * A well-formed request must be answered, with a result or a stable error code that is never INTERNAL;
 * a refused one must not change a row of the fuzz account; the services must be healthy afterwards.
 */
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type pg from 'pg';
import { isErrorCode } from '#common';
import * as contracts from '#contracts';
import { api, createAccount, createUser, e2eStack } from '#testing';
import { hostileBody, hostileValue, openDatabase, snapshotRows } from './fuzz-support.js';

/** Field names used across the contracts, so generated payloads reach field-level validation. */
const CONTRACT_KEYS = [
  'userId', 'accountId', 'actor', 'type', 'keyId', 'username', 'password', 'email', 'role', 'code', 'method', 'challengeId',
  'sessionId', 'name', 'page', 'pageSize', 'reason', 'ipSafelist', 'mfaRequired', 'allowEmailCodes', 'key', 'ip', 'actorIp', 'userIds',
];

function subjectsOf(suffix: 'Subjects' | 'Events'): string[] {
  return Object.entries(contracts)
    .filter(([name, value]) => name.endsWith(suffix) && typeof value === 'object' && value !== null)
    .flatMap(([, group]) => Object.values(group as Record<string, { name?: unknown }>))
    .map((subject) => subject?.name)
    .filter((name): name is string => typeof name === 'string')
    .sort();
}

const stack = e2eStack();
const declaredSubjects = subjectsOf('Subjects');
/** Declared subjects some service answers (probed in beforeAll); a declared one nobody serves is reported. */
let rpcSubjects: string[] = [];
const eventSubjects = subjectsOf('Events');
let nc: NatsConnection;
let db: pg.Client;
let accountId: string;
let ids: string[] = [];

beforeAll(async () => {
  nc = await connect({ servers: stack.natsUrl.split(','), name: 'fuzz-nats' });
  db = await openDatabase(stack.databaseUrl);
  const account = await createAccount(stack, `Fuzz NATS ${Date.now()}`);
  accountId = account.id;
  const holder = await createUser(stack, account.id, { role: 'holder' });
  const user = await createUser(stack, account.id);
  ids = [account.id, holder.id, user.id];
  const unserved: string[] = [];
  for (const subject of declaredSubjects) {
    const reply = await nc.request(`${stack.prefix}.${subject}`, JSON.stringify({ pattern: subject, data: {}, id: randomUUID() }), { timeout: 5_000 }).then(
      () => true,
      (err: Error) => !/no responders/i.test(`${err.message} ${String((err as { cause?: unknown }).cause ?? '')}`),
    );
    if (reply) rpcSubjects.push(subject);
    else unserved.push(subject);
  }
  if (unserved.length) process.stderr.write(`fuzz-nats: declared in libs/contracts but served by no service (skipped): ${unserved.join(', ')}\n`);
}, 60_000);

afterAll(async () => {
  await nc?.close();
  await db?.end();
});

interface Reply {
  id?: unknown;
  err?: { code?: unknown } | unknown;
  response?: unknown;
}

async function request(subject: string, body: string | Uint8Array, timeout = 5_000): Promise<Reply | 'timeout'> {
  try {
    const msg = await nc.request(`${stack.prefix}.${subject}`, body, { timeout });
    return msg.json<Reply>();
  } catch (err) {
    const name = (err as Error).name;
    if (name === 'TimeoutError') return 'timeout';
    throw err;
  }
}

describe('NATS fuzzing', () => {
  it('enumerates the request subjects and events from libs/contracts', () => {
    expect(declaredSubjects.length).toBeGreaterThanOrEqual(rpcSubjects.length);
    expect(rpcSubjects).toEqual(expect.arrayContaining(['auth.login', 'accounts.mfa-requirement.get', 'mfa.verify']));
    expect(rpcSubjects.length).toBeGreaterThan(15);
    expect(eventSubjects.length).toBeGreaterThan(5);
  });

  it('answers every well-formed packet with hostile data, never INTERNAL, never a changed row on refusal', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...rpcSubjects), fc.nat(), async (subject, seed) => {
        const data = fc.sample(hostileBody(CONTRACT_KEYS, ids), { numRuns: 1, seed })[0];
        const id = randomUUID();
        const before = await snapshotRows(db, [accountId]);
        const reply = await request(subject, JSON.stringify({ pattern: subject, data, id }));
        const seen = `${subject} ${JSON.stringify(data)?.slice(0, 300)} -> ${JSON.stringify(reply).slice(0, 300)}`;
        if (reply === 'timeout') throw new Error(`no answer: ${seen}`);
        if (reply.id !== id) throw new Error(`answered another id: ${seen}`);
        if (reply.err !== undefined && reply.err !== null) {
          const code = (reply.err as { code?: unknown }).code;
          if (!isErrorCode(code) || code === 'INTERNAL') throw new Error(`error without a stable code, or INTERNAL: ${seen}`);
          if ((await snapshotRows(db, [accountId])) !== before) throw new Error(`a refused packet changed rows: ${seen}`);
        }
      }),
      { numRuns: 250 },
    );
  }, 120_000);

  it('survives packets that are not packets: wrong pattern, missing id, not JSON, binary, oversized', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...rpcSubjects),
        fc.oneof(
          hostileValue(CONTRACT_KEYS, ids).map((v) => ({ kind: 'json', body: JSON.stringify(v) ?? 'null' })),
          fc.record({ pattern: fc.oneof(fc.constantFrom(...rpcSubjects), fc.string()), data: hostileValue([], ids), id: fc.oneof(fc.uuid(), fc.integer(), fc.constant(null)) }).map((v) => ({ kind: 'packet', body: JSON.stringify(v) })),
          fc.uint8Array({ maxLength: 200 }).map((bytes) => ({ kind: 'binary', body: bytes })),
          fc
            .constantFrom(
              '{"pattern":"x","data":',
              '{"__proto__":{"id":"x"},"pattern":"auth.login","data":{}}',
              '',
              'x'.repeat(512 * 1024),
              // Nested far beyond any contract: must be refused, not overflow a recursive validator.
              `{"pattern":"p","id":"deep","data":${'['.repeat(20_000)}${']'.repeat(20_000)}}`,
              `{"pattern":"p","id":"deep","data":{"userId":${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}}}`,
            )
            .map((body) => ({ kind: 'raw', body })),
        ),
        async (subject, packet) => {
          const reply = await request(subject, packet.body, 300);
          // Without a usable id Nest cannot address an answer: silence is fine, an INTERNAL error is not.
          if (reply !== 'timeout' && reply.err) {
            const code = (reply.err as { code?: unknown }).code;
            if (code === 'INTERNAL') throw new Error(`INTERNAL for ${subject} ${String(packet.body).slice(0, 200)}`);
          }
        },
      ),
      { numRuns: 40 },
    );
  }, 180_000);

  it('survives hostile events published as facts', async () => {
    const js = (await import('@nats-io/jetstream')).jetstream(nc);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...eventSubjects), hostileBody(CONTRACT_KEYS, ids), async (subject, data) => {
        await js.publish(`${stack.prefix}.${subject}`, JSON.stringify({ pattern: subject, data })).catch(() => undefined);
      }),
      { numRuns: 40 },
    );
    // Give consumers a moment, then every service must still answer.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect((await api(stack.baseUrl).get('/health/ready')).status).toBe(200);
  }, 60_000);

  it('leaves every service healthy and answering afterwards', async () => {
    expect((await api(stack.baseUrl).get('/health/ready')).status).toBe(200);
    const reply = await request('accounts.mfa-requirement.get', JSON.stringify({ pattern: 'accounts.mfa-requirement.get', data: { userId: ids[2] }, id: randomUUID() }));
    expect(reply).not.toBe('timeout');
    expect((reply as Reply).response).toMatchObject({ userId: ids[2], accountId });
  });
});
