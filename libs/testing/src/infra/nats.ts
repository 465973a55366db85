import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { EventPublisher } from '#common';

export function natsServerList(url: string): string[] {
  return url
    .split(',')
    .map((server) => server.trim())
    .filter(Boolean);
}

async function connectOnce(url: string, timeoutMs: number): Promise<NatsConnection> {
  return connect({ servers: natsServerList(url), timeout: timeoutMs, reconnect: false, maxReconnectAttempts: 0 });
}

/** True when a NATS server at `url` (comma-separated cluster) accepts a connection within `timeoutMs`. */
export async function isNatsReachable(url: string, timeoutMs = 2_000): Promise<boolean> {
  try {
    const nc = await connectOnce(url, timeoutMs);
    await nc.close();
    return true;
  } catch {
    return false;
  }
}

/**
 * Deletes the JetStream events stream of a subject prefix, and of any prefix that extends it
 * (`tftest_ab12` also covers `tftest_ab12_auth` made by one int test). Answers the names deleted.
 */
export async function deleteEventStreams(url: string, prefix: string): Promise<string[]> {
  const nc = await connectOnce(url, 5_000);
  try {
    const jsm = await jetstreamManager(nc);
    const exact = EventPublisher.streamName(prefix);
    const family = exact.slice(0, -'_EVENTS'.length);
    const deleted: string[] = [];
    for await (const name of jsm.streams.names()) {
      if (name === exact || (name.startsWith(`${family}_`) && name.endsWith('_EVENTS'))) {
        await jsm.streams.delete(name).catch(() => undefined);
        deleted.push(name);
      }
    }
    return deleted;
  } finally {
    await nc.close().catch(() => undefined);
  }
}
