/**
 * Shared pieces of the fuzz tests: hostile values, a scoped snapshot of the database rows a fuzz run
 * must never change by a refused input, and the checks every answer must pass.
 */
import fc from 'fast-check';
import pg from 'pg';

/** Values that have broken parsers, validators, ORMs and loggers somewhere. */
export const HOSTILE_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\uD800', // lone high surrogate
  '\uDFFF', // lone low surrogate
  'x\uDBFFy',
  '\u202Eevil\u202C', // right-to-left override
  '\u200B\u200D\uFEFF', // zero-width and BOM
  'e\u0301\u0301\u0301\u0301\u0301', // stacked combining marks
  '\uFB03', // ligature ﬃ: NFKC changes its length
  'İ', // dotted capital I: lowercases to two code points
  '👨‍👩‍👧‍👦',
  '\r\nX-Injected: 1',
  '%0d%0aSet-Cookie:%20a=b',
  "' OR '1'='1",
  "'; DROP TABLE accounts.users; --",
  '" OR ""="',
  '1; SELECT pg_sleep(10)',
  '$1',
  '\\',
  '%',
  '_',
  '${jndi:ldap://x}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  '../../../../etc/passwd',
  '__proto__',
  'constructor',
  'NaN',
  'Infinity',
  '-0',
  '1e309',
  '0x10',
  'true',
  'null',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '123456',
  '0000-0000-0000-0000',
  '::ffff:127.0.0.1',
  '0.0.0.0/0',
  '::/0',
  '999.999.999.999',
  'a'.repeat(300),
  'ü'.repeat(5_000),
];

export const HOSTILE_NUMBERS = [0, -0, -1, 1, 1.5, 2 ** 31, 2 ** 53 + 2, -(2 ** 63), 1e308, -1e308, 5e-324, Number.MAX_SAFE_INTEGER, 1_000_000_001];

export const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', 'isAdmin', 'role', 'accountId', 'userId', 'id', ''];

export function hostileString(): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) }, // any code unit, lone surrogates included
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
    { weight: 1, arbitrary: fc.stringMatching(/^[0-9]{1,400}$/) }, // huge number as a string
  );
}

export function hostileValue(keys: string[] = [], ids: string[] = []): fc.Arbitrary<unknown> {
  const leaf = fc.oneof(
    hostileString(),
    ...(ids.length ? [fc.constantFrom(...ids)] : []),
    fc.constantFrom<unknown>(...HOSTILE_NUMBERS, true, false, null),
    fc.double(),
    fc.integer(),
  );
  return fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('array'), tie('object')),
    array: fc.array(tie('value'), { maxLength: 5 }),
    object: fc.dictionary(fc.oneof(fc.constantFrom(...HOSTILE_KEYS, ...keys), fc.string({ maxLength: 8 })), tie('value'), { maxKeys: 6 }),
  })).value;
}

/**
 * A body object mixing the endpoint's real field names (so validation is reached field by field) with
 * hostile keys and values.
 */
export function hostileBody(knownKeys: string[], ids: string[] = []): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.dictionary(fc.constantFrom(...(knownKeys.length ? knownKeys : ['x']), ...HOSTILE_KEYS), hostileValue(knownKeys, ids), { maxKeys: 6 }) },
    { weight: 1, arbitrary: hostileValue(knownKeys, ids) },
  );
}

/** JSON text with keys that `JSON.stringify` of a JS object literal cannot express (`__proto__` as an own key). */
export function prototypePollutionJson(): fc.Arbitrary<string> {
  return fc.constantFrom(
    '{"__proto__":{"isAdmin":true,"role":"holder"}}',
    '{"constructor":{"prototype":{"isAdmin":true}}}',
    '{"username":"a","password":"b","__proto__":{"status":"authenticated"}}',
    '[{"__proto__":{"polluted":1}}]',
    '{"a":{"__proto__":{"b":1}},"__proto__":null}',
  );
}

/** Not JSON, or JSON that parsers disagree on. */
export function malformedJson(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom('{', '{"a":', '[', '{"a":1,}', "{'a':1}", 'nul', '\uFEFF{}', '{"a":1}{"a":2}', '{"a":1e999999}', '"\\ud800"', '{"a":"\\u0000"}', '[]'.repeat(10_000), '['.repeat(5_000) + ']'.repeat(5_000), '{"a":' + '9'.repeat(100_000) + '}'),
    fc.string({ unit: 'binary', maxLength: 60 }),
  );
}

export const ODD_CONTENT_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/jsonx',
  'application/json-patch+json',
  'APPLICATION/JSON',
  '*/*',
  ';',
  'application/json, text/plain',
];

// ---- the database: rows a refused input must not touch ---------------------------------------------

/**
 * A digest of every row that belongs to the given account and its users, across the three services'
 * schemas. Audit events, rate-limit buckets and sign-in challenges are left out: a refused sign-in
 * rightly records itself there.
 */
export async function snapshotRows(client: pg.Client, accountIds: string[]): Promise<string> {
  const { rows } = await client.query<{ digest: string }>(
    `WITH us AS (SELECT id FROM accounts.users WHERE account_id = ANY($1::uuid[]))
     SELECT concat_ws('|',
       (SELECT md5(coalesce(string_agg(a::text, ',' ORDER BY a.id), '')) FROM accounts.accounts a WHERE a.id = ANY($1::uuid[])),
       (SELECT md5(coalesce(string_agg(u::text, ',' ORDER BY u.id), '')) FROM accounts.users u WHERE u.account_id = ANY($1::uuid[])),
       (SELECT md5(coalesce(string_agg(p::text, ',' ORDER BY p.account_id), '')) FROM accounts.security_policies p WHERE p.account_id = ANY($1::uuid[])),
       (SELECT md5(coalesce(string_agg(c::text, ',' ORDER BY c.user_id), '')) FROM auth.credentials c WHERE c.user_id IN (SELECT id FROM us)),
       (SELECT md5(coalesce(string_agg(s::text, ',' ORDER BY s.id), '')) FROM auth.sessions s WHERE s.user_id IN (SELECT id FROM us)),
       (SELECT md5(coalesce(string_agg(f::text, ',' ORDER BY f.id), '')) FROM mfa.factors f WHERE f.user_id IN (SELECT id FROM us)),
       (SELECT md5(coalesce(string_agg(r::text, ',' ORDER BY r::text), '')) FROM mfa.recovery_codes r WHERE r.user_id IN (SELECT id FROM us)),
       (SELECT md5(coalesce(string_agg(m::text, ',' ORDER BY m.user_id), '')) FROM mfa.user_state m WHERE m.user_id IN (SELECT id FROM us))
     ) AS digest`,
    [accountIds],
  );
  return rows[0]!.digest;
}

export async function openDatabase(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}
