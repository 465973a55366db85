import type { PrefixedClientNats } from '#common';
import type { MfaStatus } from '#contracts';
import { fakeFacts, type FakeFacts } from '#testing';
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
  let facts: FakeFacts;

  const load = async (missing: string[]) => {
    loads.push(missing);
    return Object.fromEntries(missing.map((id) => [id, truth[id]!]));
  };

  beforeEach(async () => {
    now = 1_000_000;
    truth = { [A]: OFF, [B]: OFF };
    loads = [];
    facts = fakeFacts();
    cache = new MfaStatusCache(facts.nats as PrefixedClientNats);
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
      facts.deliver(subject, { userId: A });
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
    facts.deliver('mfa.signals.status-changed', { userId: A });
    release();
    expect(await pending).toEqual({ [A]: OFF });
    expect(await cache.statusesOf([A], load)).toEqual({ [A]: ON });
  });

  it('forgets everything after a reconnect, and any status after the TTL', async () => {
    await cache.statusesOf([A, B], load);
    await facts.reconnect();
    expect(cache.size).toBe(0);
    await cache.statusesOf([A, B], load);
    now += MFA_STATUS_TTL_MS + 1;
    truth[B] = ON;
    expect((await cache.statusesOf([B], load))[B]).toEqual(ON);
  });

  it('treats an unreadable signal as "forget everything"', async () => {
    await cache.statusesOf([A, B], load);
    facts.deliver('mfa.signals.status-changed', { nobody: true });
    expect(cache.size).toBe(0);
  });
});
