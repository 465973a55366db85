import { createServer, type Server } from 'node:http';
import { renderMetrics } from './registry.js';

/**
 * The small HTTP listener a back-end service exposes for Prometheus when `METRICS_PORT` is set:
 * `GET /metrics` and nothing else. Services have no other HTTP port; each replica is its own scrape
 * target, so a dead replica shows as `up == 0` instead of vanishing inside an aggregate.
 */
export async function startMetricsServer(port: number, host: string): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || (request.url ?? '').split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    renderMetrics().then(
      ({ contentType, body }) => response.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' }).end(body),
      () => response.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n'),
    );
  });
  // A scrape must never keep a replica from shutting down.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.unref();
  return server;
}
