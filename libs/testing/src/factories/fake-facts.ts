/**
 * A stand-in for the NATS connection behind `listenToFacts`, for unit tests of caches that forget on
 * facts and signals: `deliver` hands one message to the subscription of a bare subject, `reconnect`
 * reports a reconnect (a gap) and lets the listener see it. Subjects are prefixed with `t.`.
 */
export interface FakeFacts {
  /** Pass as the cache's `PrefixedClientNats`. */
  nats: unknown;
  deliver(subject: string, data: unknown): void;
  reconnect(): Promise<void>;
}

export function fakeFacts(): FakeFacts {
  const subscriptions = new Map<string, (err: Error | null, msg: { json(): unknown }) => void>();
  const statuses: Array<{ type: string }> = [];
  let wake = () => {};
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
  return {
    nats: { connect: async () => connection, subjectOf: (subject: string) => `t.${subject}` },
    deliver: (subject, data) => {
      const callback = subscriptions.get(`t.${subject}`);
      if (!callback) throw new Error(`nobody listens to ${subject}`);
      callback(null, { json: () => ({ data }) });
    },
    reconnect: async () => {
      statuses.push({ type: 'reconnect' });
      wake();
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}
