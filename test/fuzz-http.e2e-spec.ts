/**
 * Property-based fuzzing of every HTTP endpoint the OpenAPI document lists: hostile JSON bodies,
 * malformed JSON, odd content types, hostile path parameters, query strings and headers, with and
 * without credentials. Every answer must be below 500 and carry a stable error code; a refused input
 * (4xx) must not change a single row of the fuzz account; the stack must be healthy afterwards.
 */
import fc from 'fast-check';
import { connect as connectTcp } from 'node:net';
import type pg from 'pg';
import { isErrorCode } from '#common';
import { accessToken, api, createAccount, createUser, e2eStack, enrolAuthenticator } from '#testing';
import { hostileBody, hostileString, malformedJson, ODD_CONTENT_TYPES, openDatabase, prototypePollutionJson, snapshotRows } from './fuzz-support.js';

interface Endpoint {
  method: string;
  /** OpenAPI path, `{param}` style. */
  path: string;
  params: string[];
  bodyKeys: string[];
  hasBody: boolean;
}

const stack = e2eStack();
let endpoints: Endpoint[] = [];
let db: pg.Client;
let accountId: string;
let userIds: string[] = [];
const credentials: Record<string, Record<string, string>> = {};

function refOf(schema: any, document: any): any {
  if (schema?.$ref) return document.components?.schemas?.[schema.$ref.split('/').pop()];
  return schema;
}

/** A fuzz-dedicated client address (benchmark range 198.18.0.0/15), so per-IP limits never touch other tests. */
function fuzzIp(seed: number): string {
  return `198.18.${(seed >>> 8) & 255}.${seed & 255}`;
}

beforeAll(async () => {
  const document = (await api(stack.baseUrl).get('/docs/openapi.json')).body;
  for (const [path, operations] of Object.entries<any>(document.paths)) {
    for (const [method, operation] of Object.entries<any>(operations)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const bodySchema = refOf(operation.requestBody?.content?.['application/json']?.schema, document);
      endpoints.push({
        method: method.toUpperCase(),
        path,
        params: [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!),
        bodyKeys: Object.keys(bodySchema?.properties ?? {}),
        hasBody: operation.requestBody !== undefined,
      });
    }
  }
  endpoints = endpoints.sort((a, b) => `${a.method} ${a.path}`.localeCompare(`${b.method} ${b.path}`));

  const account = await createAccount(stack, `Fuzz ${Date.now()}`);
  accountId = account.id;
  const holder = await createUser(stack, account.id, { role: 'holder' });
  const user = await createUser(stack, account.id);
  const enrolled = await createUser(stack, account.id);
  userIds = [holder.id, user.id, enrolled.id];
  const enrolledToken = await accessToken(stack, enrolled.username, enrolled.password);
  await enrolAuthenticator(stack, enrolledToken);
  credentials.none = {};
  credentials.holder = { authorization: `Bearer ${await accessToken(stack, holder.username, holder.password)}` };
  credentials.user = { authorization: `Bearer ${await accessToken(stack, user.username, user.password)}` };
  credentials.support = { 'x-api-key': stack.supportKey };
  credentials.forged = { authorization: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.' };
  db = await openDatabase(stack.databaseUrl);
}, 60_000);

afterAll(async () => {
  await db?.end();
});

/** Percent-encodes anything, lone surrogates included (as the bytes Node would send), and passes raw `%XX` probes through. */
function pct(value: string): string {
  if (RAW_PERCENT.includes(value)) return value;
  return [...Buffer.from(value, 'utf8')].map((b) => (/[A-Za-z0-9._~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0').toUpperCase()}`)).join('');
}

/** Percent sequences that decode to invalid UTF-8 or to separators. */
const RAW_PERCENT = ['%ED%A0%80', '%FF', '%C0%AF', '%00', '%2F..%2F..', '%25', '%', '%zz', '..', '%E2%80%AE'];

function concretePath(endpoint: Endpoint, values: Record<string, string>): string {
  return endpoint.path.replace(/\{(\w+)\}/g, (_, name: string) => pct(values[name] ?? 'x'));
}

function pathValue(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constant('__ACCOUNT__'),
    fc.constant('__USER__'),
    fc.uuid(),
    fc.constantFrom(...RAW_PERCENT),
    hostileString().filter((s) => s.length > 0 && s.length < 2_000),
  );
}

function resolveIds(value: string, seed: number): string {
  if (value === '__ACCOUNT__') return accountId;
  if (value === '__USER__') return userIds[seed % userIds.length]!;
  return value;
}

interface Sent {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** Sends one request and checks the answer; answers false (with a reason on stderr) when the rule is broken. */
async function sendAndCheck(request: Sent): Promise<void> {
  const before = await snapshotRows(db, [accountId]);
  let response: Response;
  try {
    response = await fetch(`${stack.baseUrl}${request.path}`, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.timeout(15_000),
    });
  } catch (err) {
    // fetch itself refuses some inputs (a header value it cannot encode): nothing was sent.
    if (err instanceof TypeError && !String((err as { cause?: unknown }).cause ?? '').includes('ECONN')) return;
    throw new Error(`no answer to ${request.method} ${request.path}: ${String(err)}`);
  }
  const text = await response.text();
  const describe = () => `${request.method} ${request.path.slice(0, 300)} ${JSON.stringify(request.headers).slice(0, 300)} ${request.body?.slice(0, 300)} -> ${response.status} ${text.slice(0, 300)}`;
  if (response.status >= 500) throw new Error(`5xx: ${describe()}`);
  if (response.status >= 400) {
    let code: unknown;
    try {
      code = JSON.parse(text)?.error?.code;
    } catch {
      code = undefined;
    }
    if (!isErrorCode(code)) throw new Error(`4xx without a stable error code: ${describe()}`);
    const after = await snapshotRows(db, [accountId]);
    if (after !== before) throw new Error(`a refused request changed rows: ${describe()}`);
  }
}

const credentialNames = () => fc.constantFrom('none', 'holder', 'user', 'support', 'forged');

describe('HTTP fuzzing', () => {
  it('enumerates the endpoints from the OpenAPI document', () => {
    expect(endpoints.length).toBeGreaterThan(10);
    expect(endpoints.some((e) => e.path === '/api/v1/auth/login')).toBe(true);
  });

  it('answers hostile JSON bodies on every endpoint with a 4xx code or success, never a 5xx, never a changed row on refusal', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(endpoints.length - 1), credentialNames(), fc.dictionary(fc.constantFrom('p'), pathValue()), fc.nat(65_535), fc.nat(), async (index, who, raw, ipSeed, seed) => {
        const endpoint = endpoints[index]!;
        const values = Object.fromEntries(endpoint.params.map((name, i) => [name, resolveIds(raw.p ?? '__ACCOUNT__', seed + i)]));
        const body = fc.sample(hostileBody(endpoint.bodyKeys), { numRuns: 1, seed })[0];
        await sendAndCheck({
          method: endpoint.method,
          path: concretePath(endpoint, values),
          headers: { 'content-type': 'application/json', 'x-forwarded-for': fuzzIp(ipSeed), ...credentials[who] },
          body: endpoint.method === 'GET' || endpoint.method === 'DELETE' ? undefined : JSON.stringify(body),
        });
      }),
      { numRuns: 250 },
    );
  }, 120_000);

  it('refuses malformed JSON, prototype-pollution keys and odd content types with a 4xx code', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(endpoints.length - 1),
        credentialNames(),
        fc.oneof(malformedJson(), prototypePollutionJson()),
        fc.oneof(fc.constant('application/json'), fc.constantFrom(...ODD_CONTENT_TYPES)),
        fc.nat(65_535),
        async (index, who, body, contentType, ipSeed) => {
          const endpoint = endpoints[index]!;
          const values = Object.fromEntries(endpoint.params.map((name, i) => [name, i === 0 ? accountId : userIds[0]!]));
          await sendAndCheck({
            method: endpoint.method === 'GET' ? 'POST' : endpoint.method,
            path: concretePath(endpoint, values),
            headers: { 'content-type': contentType, 'x-forwarded-for': fuzzIp(ipSeed), ...credentials[who] },
            body,
          });
        },
      ),
      { numRuns: 150 },
    );
  }, 120_000);

  it('survives hostile query strings, oversized bodies and hostile headers', async () => {
    const headerValue = fc.string({ unit: 'binary-ascii', maxLength: 200 }).map((s) => s.replace(/[^\t\x20-\x7e]/g, '')); // what a header may carry; the rest is the raw test's
    await fc.assert(
      fc.asyncProperty(
        fc.nat(endpoints.length - 1),
        fc.array(fc.tuple(hostileString(), hostileString()), { maxLength: 4 }),
        fc.constantFrom('authorization', 'x-api-key', 'x-forwarded-for', 'x-request-id', 'accept', 'accept-encoding', 'content-length-ignored', 'cookie'),
        headerValue,
        fc.boolean(),
        async (index, query, header, value, oversized) => {
          const endpoint = endpoints[index]!;
          const values = Object.fromEntries(endpoint.params.map((name) => [name, accountId]));
          const qs = query.map(([k, v]) => `${pct(k)}=${pct(v)}`).join('&');
          const headers: Record<string, string> = { 'content-type': 'application/json', [header]: header === 'authorization' ? `Bearer ${value}` : value };
          if (header !== 'x-forwarded-for') headers['x-forwarded-for'] = fuzzIp(index);
          await sendAndCheck({
            method: endpoint.method === 'GET' && oversized ? 'POST' : endpoint.method,
            path: `${concretePath(endpoint, values)}${qs ? `?${qs}` : ''}`,
            headers,
            body: oversized ? JSON.stringify({ pad: 'x'.repeat(200 * 1024) }) : endpoint.method === 'GET' || endpoint.method === 'DELETE' ? undefined : '{}',
          });
        },
      ),
      { numRuns: 120 },
    );
  }, 120_000);

  it('answers raw protocol abuse (header injection, smuggling, bad lengths) with 4xx or a closed connection, never a 5xx', async () => {
    const url = new URL(stack.baseUrl);
    const raw = [
      `POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 40\r\n\r\n{}`,
      `POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n0\r\n\r\n`,
      `GET /health/live HTTP/1.1\r\nHost: x\r\nX-Request-Id: a\rX-Injected: 1\r\n\r\n`,
      `GET /health/live HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 1.2.3.4\u0000\r\n\r\n`,
      `POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: -1\r\n\r\n{}`,
      `POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 99999999999999999999\r\n\r\n{}`,
      `GET /api/v1/../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n`,
      `GET /%%32%65 HTTP/1.1\r\nHost: x\r\n\r\n`,
      `GET /api/v1/accounts/%00/users HTTP/1.1\r\nHost: x\r\n\r\n`,
      `BREW /health/live HTTP/1.1\r\nHost: x\r\n\r\n`,
      `GET / HTTP/9.9\r\nHost: x\r\n\r\n`,
      `GET /health/live HTTP/1.1\r\n${'X-Pad: y\r\n'.repeat(2_000)}\r\n`,
    ];
    for (const request of raw) {
      const answer = await new Promise<string>((resolve) => {
        let data = '';
        const socket = connectTcp(Number(url.port), url.hostname, () => socket.end(request));
        socket.setTimeout(5_000, () => socket.destroy());
        socket.on('data', (chunk) => (data += chunk.toString('latin1')));
        socket.on('error', () => resolve(data));
        socket.on('close', () => resolve(data));
      });
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(answer)?.[1] ?? 0);
      if (process.env.FUZZ_DEBUG) process.stderr.write(`${status} ${JSON.stringify(request.slice(0, 60))} ${answer.split("\r\n\r\n")[1]?.slice(0, 120)}\n`);
      expect({ request: request.slice(0, 80), fiveHundred: status >= 500 }).toEqual({ request: request.slice(0, 80), fiveHundred: false });
    }
  }, 60_000);

  it('leaves every service healthy afterwards', async () => {
    const ready = await api(stack.baseUrl).get('/health/ready');
    expect(ready.status).toBe(200);
  });
});
