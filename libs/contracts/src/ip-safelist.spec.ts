import { canonicalClientIp, normalizeSafelistEntry, parseSafelist, SafelistMatcher, SAFELIST_MAX_ENTRIES } from './ip-safelist.js';

describe('IP safelist', () => {
  describe('normalises each entry to one canonical text', () => {
    it.each([
      ['10.0.0.1', '10.0.0.1'],
      ['  10.0.0.1  ', '10.0.0.1'],
      ['10.0.0.1/32', '10.0.0.1'],
      ['10.0.0.0/24', '10.0.0.0/24'],
      ['10.0.0.77/24', '10.0.0.0/24'],
      ['10.1.2.3/8', '10.0.0.0/8'],
      ['0.0.0.0/0', '0.0.0.0/0'],
      ['192.168.1.255/31', '192.168.1.254/31'],
      ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
      ['2001:db8::1/128', '2001:db8::1'],
      ['2001:db8:abcd:12::5/48', '2001:db8:abcd::/48'],
      ['::/0', '::/0'],
      ['::1', '::1'],
      ['::ffff:10.0.0.1', '10.0.0.1'],
      ['::ffff:a00:1', '10.0.0.1'],
      ['::ffff:10.0.0.9/120', '10.0.0.0/24'],
      ['::ffff:10.0.0.9/128', '10.0.0.9'],
      ['::ffff:0.0.0.0/96', '0.0.0.0/0'],
    ])('%s → %s', (input, expected) => {
      expect(normalizeSafelistEntry(input)).toEqual({ entry: expected });
    });
  });

  describe('refuses what is not an address or range', () => {
    it.each([
      '',
      '   ',
      'localhost',
      '10.0.0',
      '10.1',
      '256.0.0.1',
      '10.0.0.1.5',
      '010.0.0.1',
      '0xa.0.0.1',
      '10.0.0.1/33',
      '10.0.0.1/-1',
      '10.0.0.1/',
      '10.0.0.1/08',
      '10.0.0.1/8/8',
      '/24',
      '2001:db8::1/129',
      '2001:db8:::1',
      'fe80::1%eth0',
      '[2001:db8::1]',
      '::ffff:10.0.0.01',
      '::ffff:10.0.0.0/64',
      '10.0.0.1 10.0.0.2',
      '1'.repeat(65),
    ])('%j', (input) => {
      expect(normalizeSafelistEntry(input)).toHaveProperty('problem');
    });

    it('refuses non-strings', () => {
      expect(normalizeSafelistEntry(42)).toEqual({ problem: 'must be a string' });
      expect(normalizeSafelistEntry(null)).toEqual({ problem: 'must be a string' });
    });
  });

  it('de-duplicates after normalising, keeping the first occurrence in place', () => {
    expect(parseSafelist(['10.0.0.1', '2001:db8::/32', '10.0.0.1/32', '::ffff:10.0.0.1', '2001:DB8::/32', '10.0.0.2'])).toEqual({
      ok: true,
      entries: ['10.0.0.1', '2001:db8::/32', '10.0.0.2'],
    });
  });

  it('names every invalid entry with its index, not just the first', () => {
    const result = parseSafelist(['10.0.0.1', 'nope', '10.0.0.0/24', '300.1.1.1', 'fe80::1%eth0']);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => [p.index, p.entry])).toEqual([
      [1, 'nope'],
      [3, '300.1.1.1'],
      [4, 'fe80::1%eth0'],
    ]);
  });

  it(`accepts ${SAFELIST_MAX_ENTRIES} entries and refuses more`, () => {
    const many = Array.from({ length: SAFELIST_MAX_ENTRIES + 1 }, (_, i) => `10.0.${i >> 8}.${i & 255}`);
    expect(parseSafelist(many.slice(0, SAFELIST_MAX_ENTRIES)).ok).toBe(true);
    expect(parseSafelist(many).ok).toBe(false);
  });

  describe('matching', () => {
    const list = new SafelistMatcher(['10.0.0.0/24', '192.168.1.7', '2001:db8::/32']);

    it('lets any address through an empty list', () => {
      expect(new SafelistMatcher([]).allows('203.0.113.9')).toBe(true);
      expect(new SafelistMatcher([]).allows(undefined)).toBe(true);
    });

    it.each([
      ['10.0.0.1', true],
      ['10.0.0.255', true],
      ['10.0.1.0', false],
      ['192.168.1.7', true],
      ['192.168.1.8', false],
      ['2001:db8::42', true],
      ['2001:0db8:0000::42', true],
      ['2001:db9::1', false],
      ['::ffff:10.0.0.5', true],
      ['::ffff:10.0.1.5', false],
      ['::ffff:c0a8:107', true],
    ])('%s → %s', (ip, allowed) => {
      expect(list.allows(ip)).toBe(allowed);
    });

    it('matches IPv4 clients against IPv4 entries only (no accidental IPv6 ::/0 for IPv4)', () => {
      expect(new SafelistMatcher(['::/0']).allows('10.0.0.1')).toBe(false);
      expect(new SafelistMatcher(['::/0']).allows('2001:db8::1')).toBe(true);
      expect(new SafelistMatcher(['0.0.0.0/0']).allows('::ffff:1.2.3.4')).toBe(true);
    });

    it('fails closed on a missing or unparseable client address', () => {
      expect(list.allows(undefined)).toBe(false);
      expect(list.allows('')).toBe(false);
      expect(list.allows('not-an-ip')).toBe(false);
    });
  });

  it('canonicalises client addresses the way the gateway reports them', () => {
    expect(canonicalClientIp('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(canonicalClientIp('2001:0DB8::0001')).toBe('2001:db8::1');
    expect(canonicalClientIp('nope')).toBeUndefined();
  });
});
