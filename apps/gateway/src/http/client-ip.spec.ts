import { canonicalIp } from './client-ip.js';

describe('canonicalIp', () => {
  it('turns IPv4-mapped IPv6 into plain IPv4, so a safelist of IPv4 ranges matches', () => {
    expect(canonicalIp('::ffff:10.1.2.3')).toBe('10.1.2.3');
  });

  it('compresses IPv6 to one spelling', () => {
    expect(canonicalIp('2001:0db8:0000:0000:0000:0000:0000:0001')).toBe('2001:db8::1');
  });

  it('refuses anything that is not an address', () => {
    expect(canonicalIp(undefined)).toBeUndefined();
    expect(canonicalIp('10.0.0.1, 1.2.3.4')).toBeUndefined();
    expect(canonicalIp('localhost')).toBeUndefined();
  });
});
