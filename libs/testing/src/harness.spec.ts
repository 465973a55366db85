import { createServer, type Server } from 'node:http';
import { api, databaseName, ManagedProcess, uniqueSuffix, withDatabase } from '#testing';

describe('test harness', () => {
  it('points a PostgreSQL URL at another database without losing credentials or options', () => {
    const url = withDatabase('postgres://u:p%40ss@db.local:5433/test?sslmode=disable', 'twofold_test_x');
    expect(url).toBe('postgres://u:p%40ss@db.local:5433/twofold_test_x?sslmode=disable');
    expect(databaseName(url)).toBe('twofold_test_x');
  });

  it('makes unique lowercase suffixes', () => {
    const seen = new Set(Array.from({ length: 1000 }, () => uniqueSuffix(10)));
    expect(seen.size).toBe(1000);
    for (const s of seen) expect(s).toMatch(/^[a-z0-9]{10}$/);
  });

  describe('api client', () => {
    let server: Server;
    let baseUrl: string;
    beforeAll(async () => {
      server = createServer((req, res) => {
        let body = '';
        req.on('data', (chunk) => (body += chunk));
        req.on('end', () => {
          res.writeHead(req.url === '/text' ? 200 : 201, { 'content-type': req.url === '/text' ? 'text/plain' : 'application/json' });
          res.end(req.url === '/text' ? 'hello' : JSON.stringify({ method: req.method, headers: req.headers, body }));
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const address = server.address();
      baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('sends JSON with the token and API key headers and parses JSON answers', async () => {
      const response = await api(baseUrl).post('/echo', { a: 1 }, { token: 't0k', apiKey: 'k3y', headers: { 'x-forwarded-for': '203.0.113.9' } });
      expect(response.status).toBe(201);
      expect(response.body.method).toBe('POST');
      expect(JSON.parse(response.body.body)).toEqual({ a: 1 });
      expect(response.body.headers).toMatchObject({
        authorization: 'Bearer t0k',
        'x-api-key': 'k3y',
        'x-forwarded-for': '203.0.113.9',
        'content-type': 'application/json',
      });
    });

    it('sends a string body verbatim and keeps non-JSON answers as text', async () => {
      const echoed = await api(baseUrl).post('/echo', '{"broken":');
      expect(echoed.body.body).toBe('{"broken":');
      const text = await api(baseUrl).get('/text');
      expect(text.body).toBe('hello');
    });
  });

  it('stops a child that ignores SIGTERM with SIGKILL after the grace period', async () => {
    const child = ManagedProcess.start({
      name: 'stubborn',
      command: process.execPath,
      args: ['-e', "process.on('SIGTERM', () => {}); console.log('up'); setInterval(() => {}, 1000)"],
      output: { kind: 'ignore' },
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const exit = await child.stop(500);
    expect(exit.signal).toBe('SIGKILL');
    expect(child.hasExited).toBe(true);
  });
});
