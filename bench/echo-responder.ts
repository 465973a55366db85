/**
 * Baseline for figure 2: a NATS responder that echoes every request, in its own process (like a
 * service), on the same client library the services use. Subject from argv; prints "ready".
 */
import { connect } from '@nats-io/transport-node';

const [url, subject] = process.argv.slice(2);
if (!url || !subject) {
  console.error('usage: echo-responder <natsUrl> <subject>');
  process.exit(2);
}
const nc = await connect({ servers: url.split(','), name: 'bench-echo' });
nc.subscribe(subject, { queue: 'bench-echo', callback: (_err, msg) => {
  msg.respond(msg.data);
} });
await nc.flush();
console.log('ready');
process.on('SIGTERM', () => void nc.drain().then(() => process.exit(0)));
