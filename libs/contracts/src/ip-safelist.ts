import ipaddr from 'ipaddr.js';

/**
 * An account's IP safelist: IPv4/IPv6 addresses and CIDR ranges. Written once here because two services
 * apply it: accounts (normalises and stores it, refuses a list that locks out the holder saving it) and the
 * gateway (matches every authenticated request against its cached copy).
 *
 * Normal form, so equal lists compare equal and the holder sees what is enforced:
 * - IPv4 in dotted decimal, IPv6 compressed lower case (RFC 5952);
 * - IPv4-mapped IPv6 (`::ffff:10.0.0.1`, `::ffff:10.0.0.0/120`) becomes IPv4 (`10.0.0.1`, `10.0.0.0/24`),
 *   because clients are matched as IPv4 too;
 * - a range keeps its prefix and loses its host bits: `10.0.0.7/24` → `10.0.0.0/24` (what it matches);
 * - a single-address range is the address: `10.0.0.1/32` → `10.0.0.1`, `2001:db8::1/128` → `2001:db8::1`;
 * - duplicates (after the above) are dropped, the first occurrence keeps its place.
 * Refused: anything else, including IPv4 shorthand (`10.1`), octal/hex parts (`010.0.0.1`, `0xa.0.0.1`),
 * IPv6 zone ids (`fe80::1%eth0`), and prefixes out of range.
 */
export const SAFELIST_MAX_ENTRIES = 100;
export const SAFELIST_ENTRY_MAX_LENGTH = 64;

export interface SafelistProblem {
  index: number;
  entry: string;
  problem: string;
}

export type SafelistParse = { ok: true; entries: string[] } | { ok: false; problems: SafelistProblem[] };

const IPV4_DECIMAL = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const PREFIX = /^(0|[1-9]\d{0,2})$/;

type Address = ipaddr.IPv4 | ipaddr.IPv6;

function parseAddress(text: string): Address | undefined {
  if (IPV4_DECIMAL.test(text)) return ipaddr.IPv4.parse(text);
  // Only hex digits, colons and an optional embedded dotted IPv4 tail: no zone ids, no brackets.
  if (!/^[0-9A-Fa-f:.]+$/.test(text) || !text.includes(':')) return undefined;
  if (!ipaddr.IPv6.isValid(text)) return undefined;
  const v6 = ipaddr.IPv6.parse(text);
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.') && !IPV4_DECIMAL.test(tail)) return undefined;
  return v6;
}

/** Canonical form of one entry, or the reason it is not one. */
export function normalizeSafelistEntry(raw: unknown): { entry: string } | { problem: string } {
  if (typeof raw !== 'string') return { problem: 'must be a string' };
  const text = raw.trim();
  if (text.length === 0) return { problem: 'must not be empty' };
  if (text.length > SAFELIST_ENTRY_MAX_LENGTH) return { problem: `must be at most ${SAFELIST_ENTRY_MAX_LENGTH} characters` };
  const slash = text.indexOf('/');
  const addressText = slash === -1 ? text : text.slice(0, slash);
  const address = parseAddress(addressText);
  if (!address) return { problem: 'is not an IPv4 or IPv6 address or CIDR range' };
  let prefix = address.kind() === 'ipv4' ? 32 : 128;
  if (slash !== -1) {
    const prefixText = text.slice(slash + 1);
    if (!PREFIX.test(prefixText) || Number(prefixText) > prefix) {
      return { problem: `has an invalid prefix length (0 to ${prefix} for ${address.kind() === 'ipv4' ? 'IPv4' : 'IPv6'})` };
    }
    prefix = Number(prefixText);
  }
  let base: Address = address;
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) {
    if (prefix < 96) return { problem: 'is an IPv4-mapped IPv6 range wider than /96; write the IPv4 or IPv6 range instead' };
    base = (address as ipaddr.IPv6).toIPv4Address();
    prefix -= 96;
  }
  const full = base.kind() === 'ipv4' ? 32 : 128;
  if (prefix === full) return { entry: base.toString() };
  const network = ipaddr.parse(networkOf(base, prefix));
  return { entry: `${network.toString()}/${prefix}` };
}

function networkOf(address: Address, prefix: number): string {
  const bytes = address.toByteArray();
  for (let bit = prefix; bit < bytes.length * 8; bit++) {
    const i = bit >> 3;
    bytes[i] = (bytes[i] ?? 0) & ~(0x80 >> (bit & 7));
  }
  return ipaddr.fromByteArray(bytes).toString();
}

/** Normalises and de-duplicates a whole list, naming every invalid entry. */
export function parseSafelist(raw: readonly unknown[]): SafelistParse {
  if (raw.length > SAFELIST_MAX_ENTRIES) {
    return { ok: false, problems: [{ index: SAFELIST_MAX_ENTRIES, entry: '', problem: `at most ${SAFELIST_MAX_ENTRIES} entries` }] };
  }
  const problems: SafelistProblem[] = [];
  const seen = new Set<string>();
  const entries: string[] = [];
  raw.forEach((value, index) => {
    const result = normalizeSafelistEntry(value);
    if ('problem' in result) {
      problems.push({ index, entry: typeof value === 'string' ? value : String(value), problem: result.problem });
    } else if (!seen.has(result.entry)) {
      seen.add(result.entry);
      entries.push(result.entry);
    }
  });
  return problems.length ? { ok: false, problems } : { ok: true, entries };
}

/** Canonical text of a client address: IPv4-mapped IPv6 as IPv4; undefined if not an address. */
export function canonicalClientIp(address: string | undefined): string | undefined {
  if (!address || !ipaddr.isValid(address)) return undefined;
  const parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    return (parsed as ipaddr.IPv6).toIPv4Address().toString();
  }
  return parsed.toString();
}

/**
 * A normalised safelist compiled for matching. Empty means any address. An address that cannot be
 * parsed never matches a non-empty list (fail closed).
 */
export class SafelistMatcher {
  private readonly ranges: Array<[Address, number]>;

  constructor(readonly entries: readonly string[]) {
    this.ranges = entries.flatMap((entry): Array<[Address, number]> => {
      try {
        if (entry.includes('/')) return [ipaddr.parseCIDR(entry) as [Address, number]];
        const address = ipaddr.parse(entry);
        return [[address, address.kind() === 'ipv4' ? 32 : 128]];
      } catch {
        return [];
      }
    });
  }

  get isOpen(): boolean {
    return this.entries.length === 0;
  }

  allows(clientIp: string | undefined): boolean {
    if (this.isOpen) return true;
    const canonical = canonicalClientIp(clientIp);
    if (!canonical) return false;
    const address = ipaddr.parse(canonical);
    return this.ranges.some(([range, prefix]) => range.kind() === address.kind() && (address as ipaddr.IPv4).match(range as ipaddr.IPv4, prefix));
  }
}
