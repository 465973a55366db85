import type { NatsConnection } from '@nats-io/transport-node';
import type { PrefixedClientNats } from './prefixed-nats.js';

/** What a fact listener does with one fact's `data` (the payload `EventPublisher` sent). */
export type FactHandler = (data: unknown) => void;

/**
 * Hears facts (`<prefix>.<service>.events.…`) as plain NATS messages on this replica: a plain
 * subscription under the deployment prefix, not a queue group, so every replica hears every fact. For
 * per-replica caches that must forget what a fact changes. `onGap` runs whenever facts may have been
 * missed: after a NATS reconnect, and for a fact that cannot be read; a cache forgets everything then.
 * Answers a function that stops listening.
 */
export async function listenToFacts(nats: PrefixedClientNats, handlers: Record<string, FactHandler>, onGap: () => void): Promise<() => void> {
  const nc = (await nats.connect()) as NatsConnection;
  const subscriptions = Object.entries(handlers).map(([subject, handle]) =>
    nc.subscribe(nats.subjectOf(subject), {
      callback: (err, msg) => {
        if (err) return onGap();
        try {
          handle((msg.json() as { data?: unknown }).data);
        } catch {
          onGap();
        }
      },
    }),
  );
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'reconnect') onGap();
    }
  })().catch(() => undefined);
  return () => {
    for (const subscription of subscriptions) subscription.unsubscribe();
  };
}
