import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { listenToFacts, PrefixedClientNats, RpcClient } from '#common';
import { AccountsEvents, AccountsSubjects, SafelistMatcher, type PolicyChangedEvent, type SecurityPolicyView } from '#contracts';
import { GATEWAY_CONFIG, type GatewayConfig } from '../gateway.config.js';

/** How long a policy is trusted without an event; the safety net for a missed `policy.changed`. */
export const POLICY_TTL_MS = 30_000;
/**
 * The bound, in memory rather than in accounts: an entry weighs 1 plus its safelist's length, because
 * each range costs about what a policy without one does (measured: ~400 bytes a policy, ~460 bytes a
 * range). 50,000 is ~23 MB at most, whether that is 50,000 accounts without a safelist or 500 with the
 * largest one allowed (100 ranges); a bound by count alone would let those 50,000 hold 2 GB.
 */
export const MAX_POLICY_CACHE_WEIGHT = 50_000;
const weightOf = (policy: SecurityPolicyView) => 1 + policy.ipSafelist.length;

interface Entry {
  version: number;
  policy: SecurityPolicyView;
  matcher: SafelistMatcher;
  expiresAt: number;
}

/**
 * Account security policies as the gateway needs them on every authenticated request, without a NATS
 * round trip per request. Filled on a miss (`accounts.policy.get`, one call per account however many
 * requests wait), replaced at once by `accounts.events.policy.changed` (a plain NATS subscription under
 * the deployment prefix, so every gateway replica hears it), and expired after `POLICY_TTL_MS` in case an
 * event was missed. Everything is dropped after a NATS reconnect, when events may have been missed.
 * A newer version is never replaced by an older one, so a slow fetch cannot undo an event.
 */
@Injectable()
export class PolicyCache implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PolicyCache.name);
  private readonly entries = new Map<string, Entry>();
  /** Sum of `weightOf` over `entries`. */
  private weight = 0;
  private readonly inflight = new Map<string, Promise<Entry>>();
  private stopListening?: () => void;
  /** The clock; replaced in unit tests. */
  now: () => number = () => Date.now();

  constructor(
    private readonly rpc: RpcClient,
    private readonly nats: PrefixedClientNats,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.stopListening = await listenToFacts(
      this.nats,
      {
        [AccountsEvents.policyChanged.name]: (data) => {
          const event = data as PolicyChangedEvent | undefined;
          if (event?.policy) this.apply(event.policy);
          else if (event?.accountId) this.forget(event.accountId);
        },
      },
      () => this.clear(),
    );
  }

  onApplicationShutdown(): void {
    this.stopListening?.();
  }

  /** The account's safelist, from the cache when fresh. */
  async safelistOf(accountId: string): Promise<SafelistMatcher> {
    return (await this.entryOf(accountId)).matcher;
  }

  /** The account's whole policy, from the same cache. */
  async policyOf(accountId: string): Promise<SecurityPolicyView> {
    return (await this.entryOf(accountId)).policy;
  }

  private async entryOf(accountId: string): Promise<Entry> {
    const cached = this.entries.get(accountId);
    if (cached && cached.expiresAt > this.now()) return cached;
    try {
      return await this.fetch(accountId);
    } catch (err) {
      // accounts unreachable: an expired entry is still the best knowledge; without one, fail closed.
      if (cached) {
        this.logger.warn({ accountId }, 'policy refresh failed; using the expired copy');
        return cached;
      }
      throw err;
    }
  }

  /** Forgets everything (tests, reconnects). */
  clear(): void {
    this.entries.clear();
    this.weight = 0;
  }

  /** How much the cache holds, in `MAX_POLICY_CACHE_WEIGHT` units. */
  get size(): { entries: number; weight: number } {
    return { entries: this.entries.size, weight: this.weight };
  }

  private fetch(accountId: string): Promise<Entry> {
    let pending = this.inflight.get(accountId);
    if (!pending) {
      pending = this.rpc
        .request(AccountsSubjects.getPolicy, { accountId })
        .then((policy) => this.apply(policy))
        .finally(() => this.inflight.delete(accountId));
      this.inflight.set(accountId, pending);
    }
    return pending;
  }

  private apply(policy: SecurityPolicyView): Entry {
    const current = this.entries.get(policy.accountId);
    if (current && current.version > policy.version) return current;
    const entry: Entry = { version: policy.version, policy, matcher: new SafelistMatcher(policy.ipSafelist), expiresAt: this.now() + POLICY_TTL_MS };
    this.forget(policy.accountId);
    this.entries.set(policy.accountId, entry);
    this.weight += weightOf(policy);
    // Least recently filled first; the entry just kept always stays (one policy weighs at most 101).
    for (const accountId of this.entries.keys()) {
      if (this.weight <= MAX_POLICY_CACHE_WEIGHT || accountId === policy.accountId) break;
      this.forget(accountId);
    }
    return entry;
  }

  private forget(accountId: string): void {
    const entry = this.entries.get(accountId);
    if (!entry) return;
    this.entries.delete(accountId);
    this.weight -= weightOf(entry.policy);
  }
}
