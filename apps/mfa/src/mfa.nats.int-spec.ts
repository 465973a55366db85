import type { INestMicroservice } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { bootstrapService, DomainError, natsServers, PrefixedClientNats, RpcClient } from '#common';
import type { NatsConnection } from '@nats-io/transport-node';
import { MfaSignals, MfaSubjects } from '#contracts';
import { intEnv, isolatedPrefix, totpCodeFor } from '#testing';
import { loadMfaConfig } from './mfa.config.js';
import { MfaModule } from './mfa.module.js';

const rejection = (promise: Promise<unknown>) => promise.then(() => undefined, (err: unknown) => err as DomainError);

/** The mfa service as its callers see it: over NATS, validating every payload itself. */
describe('mfa service over NATS', () => {
  const prefix = isolatedPrefix();
  const config = loadMfaConfig(intEnv({ NATS_SUBJECT_PREFIX: prefix, LOG_LEVEL: 'silent' }));
  let service: INestMicroservice;
  let rpc: RpcClient;
  let client: PrefixedClientNats;

  beforeAll(async () => {
    service = await bootstrapService({ name: 'mfa', module: MfaModule.forRoot(config), natsUrl: config.NATS_URL, subjectPrefix: prefix, logLevel: 'silent' });
    client = new PrefixedClientNats(prefix, { servers: natsServers(config.NATS_URL) });
    rpc = new RpcClient(client, 5_000);
    await rpc.connect();
  });

  afterAll(async () => {
    await rpc?.close();
    await service?.close();
  }, 15_000);

  it('refuses malformed payloads with VALIDATION_FAILED, whoever the caller', async () => {
    const userId = randomUUID();
    const bad: Array<[keyof typeof MfaSubjects, unknown]> = [
      ['verify', { userId, method: 'totp', code: 123456 }],
      ['verify', { userId, method: 'totp', code: '1234567' }],
      ['verify', { userId, method: 'totp', code: 'ABCD-EFGH-JKMN-PQRS' }],
      ['verify', { userId, method: 'recovery_code', code: '123456' }],
      ['verify', { userId, method: 'sms', code: '123456' }],
      ['verify', { userId: 'me', method: 'totp', code: '123456' }],
      ['verify', { userId, method: 'totp', code: '123456', extra: 1 }],
      ['confirmTotpSetup', { userId, code: ['123456'] }],
      ['remove', { userId }],
      ['startTotpSetup', { userId, username: 'bad\u202Ename' }],
      ['getStatusBatch', { userIds: Array.from({ length: 101 }, () => userId) }],
      ['reset', { userId, actor: { type: 'nobody' } }],
    ];
    for (const [subject, payload] of bad) {
      const err = await rejection(rpc.request(MfaSubjects[subject] as never, payload as never));
      expect({ subject, payload, code: err?.code }).toEqual({ subject, payload, code: 'VALIDATION_FAILED' });
    }
  });

  it('answers the status of one user and of a batch', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    await expect(rpc.request(MfaSubjects.getStatus, { userId: a })).resolves.toEqual({ enrolled: false, methods: [], recoveryCodesRemaining: 0 });
    const batch = await rpc.request(MfaSubjects.getStatusBatch, { userIds: [a, b, a] });
    expect(Object.keys(batch.statuses).sort()).toEqual([a, b].sort());
    await expect(rpc.request(MfaSubjects.reset, { userId: a, actor: { type: 'system' } })).resolves.toEqual({ removed: false });
  });

  it('starts a setup with the NFC username as the label', async () => {
    const started = await rpc.request(MfaSubjects.startTotpSetup, { userId: randomUUID(), username: 'Zoe\u0308 & Co' });
    expect(started.otpauthUrl).toMatch(/^otpauth:\/\/totp\/Twofold:Zo%C3%AB%20%26%20Co\?secret=[A-Z2-7]{32}&issuer=Twofold&algorithm=SHA1&digits=6&period=30$/);
    expect(started.qrCode.startsWith('data:image/png;base64,')).toBe(true);
  });

  it("signals a user's status change to every listener before it answers the change", async () => {
    // Signal and reply reach this one connection in the order the server took them: a signal sent after
    // the reply (or never) would not be here yet when the request resolves.
    const nc = (await client.connect()) as NatsConnection;
    const heard: string[] = [];
    const sub = nc.subscribe(client.subjectOf(MfaSignals.statusChanged.name), { callback: (_err, msg) => void heard.push((msg.json() as { data: { userId: string } }).data.userId) });
    try {
      const userId = randomUUID();
      const started = await rpc.request(MfaSubjects.startTotpSetup, { userId, username: 'signal' });
      expect(heard).toEqual([]);
      await rpc.request(MfaSubjects.confirmTotpSetup, { userId, code: totpCodeFor(started.manualKey.replace(/ /g, '')) });
      expect(heard).toEqual([userId]);
      await rpc.request(MfaSubjects.reset, { userId, actor: { type: 'system' } });
      expect(heard).toEqual([userId, userId]);
    } finally {
      sub.unsubscribe();
    }
  });
});
