import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { listenToFacts, PrefixedClientNats } from '#common';
import type { MfaStatus } from '#contracts';
import { mfaStatusFacts } from '../mfa-requirement/mfa-status-facts.js';

/** The safety net: a status is trusted this long at most, even if the signal that changes it was lost. */
export const MFA_STATUS_TTL_MS = 5_000;
const MAX_ENTRIES = 50_000;

/**
 * This replica's copy of users' MFA status (as mfa answers `mfa.status.batch`), for holders' user lists:
 * a page whose users are all known costs no round trip to mfa. mfa sends `mfa.signals.status-changed`
 * and flushes it before it answers any change of a user's factors or recovery codes, so a user is forgotten
 * here before anyone hears of the change; the facts of the same changes (and `accounts.events.user.mfa_reset`)
 * forget it again as they arrive. Everything is forgotten after a NATS reconnect (signals may have been
 * missed), and any status after `MFA_STATUS_TTL_MS`. A load that was in flight when a user was forgotten is
 * answered but not kept.
 */
@Injectable()
export class MfaStatusCache implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly entries = new Map<string, { status: MfaStatus; expiresAt: number }>();
  /** Bumped whenever anything is forgotten: a load started under an older generation is not kept. */
  private generation = 0;
  private listening = false;
  private stopListening?: () => void;
  /** The clock; replaced in unit tests. */
  now: () => number = () => Date.now();

  constructor(private readonly nats: PrefixedClientNats) {}

  async onApplicationBootstrap(): Promise<void> {
    this.stopListening = await listenToFacts(
      this.nats,
      mfaStatusFacts((userId) => (userId ? this.forgetUser(userId) : this.clear())),
      () => this.clear(),
    );
    this.listening = true;
  }

  onApplicationShutdown(): void {
    this.listening = false;
    this.stopListening?.();
  }

  /** The statuses of `userIds`: the fresh ones from memory, the rest from one `load` of the missing ids. */
  async statusesOf(userIds: string[], load: (missing: string[]) => Promise<Record<string, MfaStatus>>): Promise<Record<string, MfaStatus>> {
    const now = this.now();
    const statuses: Record<string, MfaStatus> = {};
    const missing: string[] = [];
    for (const userId of userIds) {
      const cached = this.entries.get(userId);
      if (cached && cached.expiresAt > now) statuses[userId] = cached.status;
      else missing.push(userId);
    }
    if (missing.length === 0) return statuses;
    const generation = this.generation;
    const loaded = await load(missing);
    const keep = this.listening && generation === this.generation;
    for (const userId of missing) {
      const status = loaded[userId];
      if (!status) continue;
      statuses[userId] = status;
      if (keep) this.keep(userId, status);
    }
    return statuses;
  }

  forgetUser(userId: string): void {
    this.generation++;
    this.entries.delete(userId);
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private keep(userId: string, status: MfaStatus): void {
    const now = this.now();
    this.entries.delete(userId);
    this.entries.set(userId, { status, expiresAt: now + MFA_STATUS_TTL_MS });
    // Kept in order with one TTL, so expired statuses come first: dropping them here holds the memory to
    // the users listed in the last few seconds, not to every user since boot (up to the bound).
    for (const [oldest, entry] of this.entries) {
      if (entry.expiresAt > now && this.entries.size <= MAX_ENTRIES) break;
      this.entries.delete(oldest);
    }
  }
}
