import ipaddr from 'ipaddr.js';

/** Canonical text of an address: IPv4-mapped IPv6 (`::ffff:10.0.0.1`) becomes plain IPv4, IPv6 is compressed. */
export function canonicalIp(address: string | undefined): string | undefined {
  if (!address || !ipaddr.isValid(address)) return undefined;
  const parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    return (parsed as ipaddr.IPv6).toIPv4Address().toString();
  }
  return parsed.toString();
}
