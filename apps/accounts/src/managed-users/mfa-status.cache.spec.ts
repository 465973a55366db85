import type { PrefixedClientNats } from '#common';
import type { MfaStatus } from '#contracts';
import { MFA_STATUS_TTL_MS, MfaStatusCache } from './mfa-status.cache.js';

const A = '0c9f3a7e-1d2b-4e5f-8a9b-7c6d5e4f3a2b';
const B = '5f0c1d2e-3a4b-4c5d-8e6f-7a8b9c0d1e2f';
const ON: MfaStatus = { enrolled: true, methods: ['totp', 'recovery_code'], recoveryCodesRemaining: 10 };
const OFF: MfaStatus = { enrolled: false, methods: [], recoveryCodesRemaining: 0 };

/**
 * The cache's rules: only missing users are loaded (in one call), mfa's signal and the facts forget a
 * user, a load in flight when something is forgotten is not kept, a reconnect forgets everything, the TTL
 * bounds the rest. Through the real `listenToFacts` wiring over a fake connection.
 */
describe('accounts MFA status cache', () => {
  let cache: MfaStatusCache;
  let now: number;
  let truth: Record<string, MfaStatus>;
  let loads: string[][];
  let deliver: (subject: string, data: unknown) => void;
  let reconnect: () => Promise<void>;

  const load = async (missing: string[]) => {
    loads.push(missing);
    return Object.fromEntries(missing.map((id) => [id, truth[id]!]));
  };

  beforeEach(async () => {
    now = 1_000_000;
    truth = { [A]: OFF, [B]: OFF };
    loads = [];
    const subscriptions = new Map<string, (err: Error | null, msg: { json(): unknown }) => void>();
    deliver = (subject, data) => subscriptions.get(`t.${subject}`)!(null, { json: () => ({ data }) });
    const statuses: Array<{ type: string }> = [];
    let wake = () => {};
    reconnect = async () => {
      statuses.push({ type: 'reconnect' });
      wake();
      await new Promise((resolve) => setImmediate(resolve));
    };
    const connection = {
      subscribe: (subject: string, options: { callback: (err: Error | null, msg: { json(): unknown }) => void }) => {
        subscriptions.set(subject, options.callback);
        return { unsubscribe: () => subscriptions.delete(subject) };
      },
      status: async function* () {
        for (;;) {
          while (statuses.length) yield statuses.shift()!;
          await new Promise<void>((resolve) => (wake = resolve));
        }
      },
    };
    cache = new MfaStatusCache({ connect: async () => connection, subjectOf: (s: string) => `t.${s}` } as unknown as PrefixedClientNats);
    cache.now = () => now;
    await cache.onApplicationBootstrap();
  });
  afterEach(() => cache.onApplicationShutdown());

  it('loads only the users it does not know, in one call', async () => {
    expect(await cache.statusesOf([A], load)).toEqual({ [A]: OFF });
    expect(await cache.statusesOf([A, B], load)).toEqual({ [A]: OFF, [B]: OFF });
    expect(loads).toEqual([[A], [B]]);
    await cache.statusesOf([A, B], load);
    expect(loads).toHaveLength(2);
  });

  it("forgets a user on mfa's status signal, and on the facts of a change", async () => {
    for (const subject of ['mfa.signals.status-changed', 'mfa.events.enrolled', 'mfa.events.removed', 'mfa.events.reset', 'accounts.events.user.mfa_reset']) {
      await cache.statusesOf([A, B], load);
      truth[A] = truth[A] === ON ? OFF : ON;
      deliver(subject, { userId: A });
      expect({ subject, status: (await cache.statusesOf([A, B], load))[A] }).toEqual({ subject, status: truth[A] });
    }
    expect(loads.filter((l) => l.includes(B))).toHaveLength(1);
  });

  it('does not keep a load that was in flight when a user was forgotten', async () => {
    let release!: () => void;
    const slow = async (missing: string[]) => {
      const answer = await load(missing);
      await new Promise<void>((resolve) => (release = resolve));
      return answer;
    };
    const pending = cache.statusesOf([A], slow);
    await new Promise((resolve) => setImmediate(resolve));
    truth[A] = ON;
    deliver('mfa.signals.status-changed', { userId: A });
    release();
    expect(await pending).toEqual({ [A]: OFF });
    expect(await cache.statusesOf([A], load)).toEqual({ [A]: ON });
  });

  it('forgets everything after a reconnect, and any status after the TTL', async () => {
    await cache.statusesOf([A, B], load);
    await reconnect();
    expect(cache.size).toBe(0);
    await cache.statusesOf([A, B], load);
    now += MFA_STATUS_TTL_MS + 1;
    truth[B] = ON;
    expect((await cache.statusesOf([B], load))[B]).toEqual(ON);
  });

  it('treats an unreadable signal as "forget everything"', async () => {
    await cache.statusesOf([A, B], load);
    deliver('mfa.signals.status-changed', { nobody: true });
    expect(cache.size).toBe(0);
  });
});
