import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { listenToFacts, PrefixedClientNats } from '#common';
import { AccountsEvents, type MfaRequirementReply } from '#contracts';
import { mfaStatusFacts } from './mfa-status-facts.js';

/** The safety net: an answer is trusted this long at most, even if a fact that changes it was missed. */
export const MFA_REQUIREMENT_TTL_MS = 5_000;
/** ~420 bytes an answer (measured), so ~20 MB at most; expired answers go as new ones come (see `keep`). */
const MAX_ENTRIES = 50_000;

interface Entry {
  reply: MfaRequirementReply;
  expiresAt: number;
}

interface Loading {
  promise: Promise<MfaRequirementReply>;
  /** Set when a fact arrived while loading: the answer is still given to who asked, never kept. */
  stale: boolean;
}

/**
 * This replica's copy of `accounts.mfa-requirement.get` answers, by user. An answer changes only through
 * facts: the account's policy (`accounts.events.policy.changed`), the user's factors
 * (`mfa.events.enrolled|removed|reset`, `accounts.events.user.mfa_reset`) and recovery codes
 * (`mfa.events.recovery_codes.regenerated`, a recovery code spent: `mfa.events.verification.succeeded`
 * with `recovery_code`). Each such fact drops the answers it touches the moment it arrives; an answer being
 * loaded when it arrives is not kept. Everything is dropped after a NATS reconnect (facts may have been
 * missed), and any answer is dropped after `MFA_REQUIREMENT_TTL_MS` in case a fact was never published.
 * Users are never deleted, disabled or moved between accounts, so no user fact is needed; errors
 * (`USER_NOT_FOUND` for a user still being created) are never kept.
 */
@Injectable()
export class MfaRequirementCache implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Loading>();
  private stopListening?: () => void;
  /** The clock; replaced in unit tests. */
  now: () => number = () => Date.now();

  constructor(private readonly nats: PrefixedClientNats) {}

  async onApplicationBootstrap(): Promise<void> {
    this.stopListening = await listenToFacts(
      this.nats,
      {
        [AccountsEvents.policyChanged.name]: (data) => {
          const accountId = (data as { accountId?: unknown } | undefined)?.accountId;
          if (typeof accountId === 'string') this.forgetAccount(accountId);
          else this.clear();
        },
        // mfa's signal arrives before mfa answers the change: the answer changes before anyone hears of it.
        ...mfaStatusFacts((userId) => (userId ? this.forgetUser(userId) : this.clear())),
      },
      () => this.clear(),
    );
  }

  onApplicationShutdown(): void {
    this.stopListening?.();
  }

  /** The cached answer while fresh; otherwise `load`s it (one load per user however many ask at once). */
  async get(userId: string, load: () => Promise<MfaRequirementReply>): Promise<MfaRequirementReply> {
    const cached = this.entries.get(userId);
    if (cached) {
      if (cached.expiresAt > this.now()) return cached.reply;
      this.entries.delete(userId);
    }
    const pending = this.loading.get(userId);
    if (pending) return pending.promise;
    const loading: Loading = { stale: false, promise: undefined! };
    loading.promise = load()
      .then((reply) => {
        if (!loading.stale) this.keep(userId, reply);
        return reply;
      })
      .finally(() => {
        if (this.loading.get(userId) === loading) this.loading.delete(userId);
      });
    this.loading.set(userId, loading);
    return loading.promise;
  }

  forgetUser(userId: string): void {
    this.entries.delete(userId);
    this.abandon(this.loading.get(userId), userId);
  }

  /** A policy changed: every answer of the account's users goes (and every answer being loaded, whose account is not known yet). */
  forgetAccount(accountId: string): void {
    for (const [userId, entry] of this.entries) if (entry.reply.accountId === accountId) this.entries.delete(userId);
    for (const [userId, loading] of this.loading) this.abandon(loading, userId);
  }

  clear(): void {
    this.entries.clear();
    for (const [userId, loading] of this.loading) this.abandon(loading, userId);
  }

  get size(): number {
    return this.entries.size;
  }

  /** A load that began before a fact: its answer is not kept, and later askers start a fresh one. */
  private abandon(loading: Loading | undefined, userId: string): void {
    if (!loading) return;
    loading.stale = true;
    this.loading.delete(userId);
  }

  private keep(userId: string, reply: MfaRequirementReply): void {
    const now = this.now();
    this.entries.delete(userId);
    this.entries.set(userId, { reply, expiresAt: now + MFA_REQUIREMENT_TTL_MS });
    // Kept in order with one TTL, so the expired answers are the first ones: dropping them here holds the
    // memory to the users asked about in the last few seconds, not to every user since boot (up to the bound).
    for (const [oldest, entry] of this.entries) {
      if (entry.expiresAt > now && this.entries.size <= MAX_ENTRIES) break;
      this.entries.delete(oldest);
    }
  }
}
