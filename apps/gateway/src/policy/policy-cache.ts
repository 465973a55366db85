import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { listenToFacts, PrefixedClientNats, RpcClient } from '#common';
import { AccountsEvents, AccountsSubjects, SafelistMatcher, type PolicyChangedEvent, type SecurityPolicyView } from '#contracts';
import { GATEWAY_CONFIG, type GatewayConfig } from '../gateway.config.js';

/** How long a policy is trusted without an event; the safety net for a missed `policy.changed`. */
export const POLICY_TTL_MS = 30_000;
const MAX_ENTRIES = 50_000;

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
          else if (event?.accountId) this.entries.delete(event.accountId);
        },
      },
      () => this.entries.clear(),
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
    this.entries.delete(policy.accountId);
    this.entries.set(policy.accountId, entry);
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    return entry;
  }
}
