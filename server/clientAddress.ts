import { isIPv6 } from 'node:net';

/** How many leading 16-bit groups of an IPv6 address name one client: its /64 network. */
const IPV6_CLIENT_GROUPS = 4;

/** The groups of an IPv6 address with `::` expanded; null when it is not one. */
function ipv6Groups(address: string): string[] | null {
  const bare = address.split('%')[0] as string; // zone index (fe80::1%eth0)
  if (!isIPv6(bare)) return null;
  const [head = '', tail] = bare.split('::') as [string, string | undefined];
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - left.length - right.length;
  return [...left, ...Array<string>(Math.max(0, missing)).fill('0'), ...right];
}

/**
 * The key the per-client limits count by. An IPv4 address (also when mapped into IPv6) is its
 * own key; an IPv6 address counts by its /64, because one host is routinely handed a whole /64
 * and could otherwise take a fresh address for every connection.
 */
export function clientAddressKey(remoteAddress: string | undefined): string {
  if (remoteAddress === undefined || remoteAddress === '') return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(remoteAddress);
  if (mapped) return mapped[1] as string;
  const groups = ipv6Groups(remoteAddress);
  if (!groups) return remoteAddress;
  const prefix = groups
    .slice(0, IPV6_CLIENT_GROUPS)
    .map((group) => Number.parseInt(group, 16).toString(16));
  return `${prefix.join(':')}::/64`;
}
