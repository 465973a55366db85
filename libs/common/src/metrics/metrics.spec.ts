import { counter, histogram, renderMetrics } from './registry.js';
import { startMetricsServer } from './metrics-server.js';
import { labelOf } from './event-metrics.js';

describe('metrics plumbing', () => {
  it('finds a metric again by name instead of registering it twice', () => {
    const a = counter('test_things_total', 'Things.', ['kind'] as const);
    const b = counter('test_things_total', 'Things.', ['kind'] as const);
    expect(b).toBe(a);
    expect(histogram('test_seconds', 'Time.', [] as const)).toBe(histogram('test_seconds', 'Time.', [] as const));
  });

  it('serves the registry as Prometheus text on GET /metrics only', async () => {
    counter('test_served_total', 'Served.', [] as const).inc(3);
    const server = await startMetricsServer(0, '127.0.0.1');
    try {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      const response = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/plain');
      expect(await response.text()).toContain('test_served_total 3');
      expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect((await renderMetrics()).body).toContain('test_served_total');
  });

  it('keeps event labels to a closed list, so hostile payloads cannot add series', () => {
    expect(labelOf('wrong_code', ['wrong_code', 'locked'])).toBe('wrong_code');
    expect(labelOf('x'.repeat(1000), ['wrong_code'])).toBe('other');
    expect(labelOf({ toString: () => 'wrong_code' }, ['wrong_code'])).toBe('other');
  });
});
