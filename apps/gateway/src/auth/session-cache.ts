import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { listenToFacts, PrefixedClientNats, RpcClient } from '#common';
import { AuthSignals, AuthSubjects, type SessionsRevokedSignal } from '#contracts';
import { GATEWAY_CONFIG, type GatewayConfig } from '../gateway.config.js';

const MAX_ENTRIES = 100_000;

interface Entry {
  userId: string;
  until: number;
}

/**
 * Which sessions auth said were live, for a few seconds (`SESSION_CACHE_TTL_MS`), so a burst of requests
 * with one token costs one `auth.sessions.check`, not one each. A revocation reaches every gateway
 * before the request that caused it is answered: auth sends `auth.signals.sessions-revoked` on plain NATS
 * and flushes it before it replies, and this cache forgets the sessions (or every session of the user)
 * when the signal arrives. An answer that was in flight while any revocation arrived is not kept (it may
 * predate it). Everything is forgotten when signals may have been missed (a NATS reconnect); the TTL bounds
 * what a lost signal could leave behind. TTL 0 turns the cache off: every request asks auth.
 */
@Injectable()
export class SessionCache implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly live = new Map<string, Entry>();
  /** Bumped by every revocation and gap: answers requested under an older generation are not cached. */
  private generation = 0;
  private listening = false;
  private stopListening?: () => void;
  private readonly ttlMs: number;
  /** The clock; replaced in unit tests. */
  now: () => number = () => Date.now();

  constructor(
    private readonly rpc: RpcClient,
    private readonly nats: PrefixedClientNats,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
  ) {
    this.ttlMs = config.SESSION_CACHE_TTL_MS;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.ttlMs <= 0) return;
    this.stopListening = await listenToFacts(
      this.nats,
      { [AuthSignals.sessionsRevoked.name]: (data) => this.revoked(data as SessionsRevokedSignal | undefined) },
      () => this.clear(),
    );
    this.listening = true;
  }

  onApplicationShutdown(): void {
    this.listening = false;
    this.stopListening?.();
  }

  /**
   * Resolves if the session is live (from the cache when fresh, else from auth); rejects with auth's
   * error (`SESSION_REVOKED`, 503/504 when auth cannot answer) otherwise.
   */
  async assertLive(sessionId: string, tokenExpiresAtMs: number): Promise<void> {
    const now = this.now();
    const cached = this.live.get(sessionId);
    if (cached && cached.until > now) return;
    const generation = this.generation;
    const reply = await this.rpc.request(AuthSubjects.checkSession, { sessionId });
    if (!this.listening || this.ttlMs <= 0 || generation !== this.generation) return;
    const at = this.now();
    this.live.delete(sessionId);
    this.live.set(sessionId, { userId: reply.userId, until: Math.min(at + this.ttlMs, tokenExpiresAtMs) });
    // Kept in (nearly) expiry order: the expired come first and go as new ones arrive, so the memory follows
    // the sessions of the last few seconds, never more than the bound.
    for (const [oldest, entry] of this.live) {
      if (entry.until > at && this.live.size <= MAX_ENTRIES) break;
      this.live.delete(oldest);
    }
  }

  /** Forgets one session at once (this gateway just logged it out). */
  forget(sessionId: string): void {
    this.generation++;
    this.live.delete(sessionId);
  }

  /** Forgets everything: signals may have been missed. */
  clear(): void {
    this.generation++;
    this.live.clear();
  }

  get size(): number {
    return this.live.size;
  }

  private revoked(signal: SessionsRevokedSignal | undefined): void {
    this.generation++;
    if (!signal || (!signal.sessionIds && !signal.userId)) return this.clear();
    for (const id of signal.sessionIds ?? []) this.live.delete(id);
    if (signal.userId) {
      for (const [id, entry] of this.live) if (entry.userId === signal.userId) this.live.delete(id);
    }
  }
}
