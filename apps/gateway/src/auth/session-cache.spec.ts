import type { PrefixedClientNats, RpcClient } from '#common';
import { DomainError } from '#common';
import { fakeFacts, type FakeFacts } from '#testing';
import type { GatewayConfig } from '../gateway.config.js';
import { SessionCache } from './session-cache.js';

const SESSION = '5f0c1d2e-3a4b-4c5d-8e6f-7a8b9c0d1e2f';
const OTHER = '6a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d';
const USER = '0c9f3a7e-1d2b-4e5f-8a9b-7c6d5e4f3a2b';
const TTL = 5_000;

/**
 * The cache's rules: one check per TTL, revocation signals (by session and by user) forget at once, an
 * answer in flight during a revocation is not kept, a gap (reconnect) forgets everything. The signal
 * travels through the real `listenToFacts` wiring over a fake connection; across real gateways and NATS
 * it is covered by test/sessions.e2e-spec.ts.
 */
describe('gateway session cache', () => {
  let calls: number;
  let revokedInAuth: Set<string>;
  let cache: SessionCache;
  let now: number;
  let facts: FakeFacts;
  let hold: Promise<void> | undefined;

  async function start(ttlMs = TTL): Promise<void> {
    facts = fakeFacts();
    const rpc = {
      request: async (_subject: unknown, body: { sessionId: string }) => {
        calls++;
        if (hold) await hold;
        if (revokedInAuth.has(body.sessionId)) throw new DomainError('SESSION_REVOKED', 'ended');
        return { active: true, userId: USER };
      },
    } as unknown as RpcClient;
    cache = new SessionCache(rpc, facts.nats as PrefixedClientNats, { SESSION_CACHE_TTL_MS: ttlMs } as GatewayConfig);
    cache.now = () => now;
    await cache.onApplicationBootstrap();
  }

  beforeEach(() => {
    calls = 0;
    revokedInAuth = new Set();
    now = 1_000_000;
    hold = undefined;
  });
  afterEach(() => cache.onApplicationShutdown());

  const far = () => now + 900_000;

  it('asks auth once per session within the TTL, then again after it', async () => {
    await start();
    await cache.assertLive(SESSION, far());
    await cache.assertLive(SESSION, far());
    expect(calls).toBe(1);
    now += TTL + 1;
    await cache.assertLive(SESSION, far());
    expect(calls).toBe(2);
  });

  it('never trusts a session past its token expiry', async () => {
    await start();
    await cache.assertLive(SESSION, now + 1_000);
    now += 1_001;
    revokedInAuth.add(SESSION);
    await expect(cache.assertLive(SESSION, now + 1_000)).rejects.toMatchObject({ code: 'SESSION_REVOKED' });
  });

  it('forgets a session when auth signals its revocation', async () => {
    await start();
    await cache.assertLive(SESSION, far());
    await cache.assertLive(OTHER, far());
    revokedInAuth.add(SESSION);
    facts.deliver('auth.signals.sessions-revoked', { sessionIds: [SESSION] });
    await expect(cache.assertLive(SESSION, far())).rejects.toMatchObject({ code: 'SESSION_REVOKED' });
    await cache.assertLive(OTHER, far());
    expect(calls).toBe(3);
  });

  it("forgets every session of a user when auth signals the user's revocation", async () => {
    await start();
    await cache.assertLive(SESSION, far());
    await cache.assertLive(OTHER, far());
    revokedInAuth.add(SESSION).add(OTHER);
    facts.deliver('auth.signals.sessions-revoked', { userId: USER });
    await expect(cache.assertLive(SESSION, far())).rejects.toMatchObject({ code: 'SESSION_REVOKED' });
    await expect(cache.assertLive(OTHER, far())).rejects.toMatchObject({ code: 'SESSION_REVOKED' });
  });

  it('does not keep an answer that was in flight when a revocation arrived', async () => {
    await start();
    let release!: () => void;
    hold = new Promise<void>((resolve) => (release = resolve));
    const inFlight = cache.assertLive(SESSION, far());
    // Auth read the session as live, then it was revoked and the signal overtook the answer.
    facts.deliver('auth.signals.sessions-revoked', { sessionIds: [SESSION] });
    release();
    await inFlight;
    hold = undefined;
    revokedInAuth.add(SESSION);
    await expect(cache.assertLive(SESSION, far())).rejects.toMatchObject({ code: 'SESSION_REVOKED' });
  });

  it('forgets everything after a reconnect, when signals may have been missed', async () => {
    await start();
    await cache.assertLive(SESSION, far());
    await facts.reconnect();
    expect(cache.size).toBe(0);
    revokedInAuth.add(SESSION);
    await expect(cache.assertLive(SESSION, far())).rejects.toMatchObject({ code: 'SESSION_REVOKED' });
  });

  it('treats an unreadable signal as "forget everything"', async () => {
    await start();
    await cache.assertLive(SESSION, far());
    facts.deliver('auth.signals.sessions-revoked', {});
    expect(cache.size).toBe(0);
  });

  it('asks auth every time with a TTL of 0', async () => {
    await start(0);
    await cache.assertLive(SESSION, far());
    await cache.assertLive(SESSION, far());
    expect(calls).toBe(2);
  });
});
