import { api, e2eStack } from '#testing';

/**
 * The gateway serves the built UI at `/` with strict security headers, and only the UI's own files: the
 * API, its 404s, the OpenAPI page and health checks answer as before.
 */
describe('web UI serving', () => {
  const stack = e2eStack();
  const http = api(stack.baseUrl);

  it('serves the UI at / with a strict CSP, no framing and no referrer', async () => {
    const response = await http.get('/', { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(String(response.body)).toContain('<script type="module" src="/js/main.js"></script>');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("require-trusted-types-for 'script'");
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('serves the scripts and the stylesheet it references, with the same headers', async () => {
    for (const [path, type] of [
      ['/js/main.js', /javascript/],
      ['/app.css', /^text\/css/],
    ] as const) {
      const response = await http.get(path);
      expect({ path, status: response.status }).toEqual({ path, status: 200 });
      expect(response.headers.get('content-type')).toMatch(type);
      expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    }
  });

  it('has no inline script or style in the page', async () => {
    const html = String((await http.get('/')).body);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
    expect(html).not.toMatch(/<style\b/i);
    expect(html).not.toMatch(/\sstyle=/i);
    expect(html).not.toMatch(/\son[a-z]+=/i);
  });

  it('leaves the API alone: unknown API routes are JSON 404s, API answers carry no UI headers', async () => {
    const missing = await http.get('/api/v1/no-such-route');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('ROUTE_NOT_FOUND');
    expect(missing.headers.get('content-security-policy')).toBeNull();

    const login = await http.post('/api/v1/auth/login', { username: 'nobody-here', password: 'not-a-password' });
    expect(login.status).toBe(401);
    expect(login.headers.get('content-security-policy')).toBeNull();

    expect((await http.get('/health/ready')).status).toBe(200);
    expect((await http.get('/docs/openapi.json')).status).toBe(200);
  });

  it('serves nothing but its files: other paths are the API 404, and no path escapes the UI folder', async () => {
    for (const path of ['/index.php', '/js/', '/js/../../package.json', '/%2e%2e/package.json', '/.env', '/ui/index.html']) {
      const response = await http.get(path);
      expect({ path, status: response.status }).toEqual({ path, status: 404 });
    }
  });
});
