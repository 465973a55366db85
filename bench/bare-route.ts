/**
 * Baseline for figure 3: a bare Fastify route that does one NATS request-reply (to the echo
 * responder) and answers JSON, in its own process like the gateway. Prints "ready <port>".
 */
import Fastify from 'fastify';
import { connect } from '@nats-io/transport-node';

const [url, subject] = process.argv.slice(2);
if (!url || !subject) {
  console.error('usage: bare-route <natsUrl> <echoSubject>');
  process.exit(2);
}
const nc = await connect({ servers: url.split(','), name: 'bench-bare-route' });
const app = Fastify({ logger: false });
app.post('/echo', async (request) => {
  const reply = await nc.request(subject, JSON.stringify(request.body ?? {}), { timeout: 5_000 });
  return reply.json();
});
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
console.log(`ready ${typeof address === 'object' && address ? address.port : 0}`);
process.on('SIGTERM', () => void app.close().then(() => nc.drain()).then(() => process.exit(0)));
