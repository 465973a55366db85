import type { NatsConnection, Subscription } from '@nats-io/transport-node';

/** What to do with one kind of event: read its payload and bump a counter. Must not throw. */
export type EventCounterRule = (payload: Record<string, unknown>) => void;

/**
 * Counts domain facts (sign-ins, MFA verifications, lockouts) from the events the services already
 * publish, in one place instead of inside every use case. It is a plain NATS subscription in a queue
 * group: with N gateway replicas every event is counted by exactly one of them, so `sum()` over the
 * replicas is the deployment's total. Counting is best effort: events published while no listener
 * runs are not counted (the audit log, a durable JetStream consumer, is the record of truth).
 */
export function countDomainEvents(
  nc: NatsConnection,
  subjectPrefix: string,
  rules: Record<string, EventCounterRule>,
  queue = 'twofold-metrics',
): Subscription {
  const decoder = new TextDecoder();
  return nc.subscribe(`${subjectPrefix}.*.events.>`, {
    queue,
    callback: (err, msg) => {
      if (err) return;
      const name = msg.subject.slice(subjectPrefix.length + 1);
      const rule = rules[name];
      if (!rule) return;
      try {
        const packet = JSON.parse(decoder.decode(msg.data)) as { data?: unknown };
        const payload = typeof packet?.data === 'object' && packet.data !== null ? (packet.data as Record<string, unknown>) : {};
        rule(payload);
      } catch {
        // A malformed event is not ours to judge here; the counters just skip it.
      }
    },
  });
}

/** A label value from an event field, limited to a known set so a hostile payload cannot explode cardinality. */
export function labelOf(value: unknown, allowed: readonly string[], fallback = 'other'): string {
  return typeof value === 'string' && allowed.includes(value) ? value : fallback;
}
