import { isIPv4, isIPv6 } from 'node:net';

/** The network an address belongs to (/24 for IPv4, /48 for IPv6): an approximate place, not a person. */
export function ipPrefix(ip: string): string {
  const v4 = ip.startsWith('::ffff:') && isIPv4(ip.slice(7)) ? ip.slice(7) : ip;
  if (isIPv4(v4)) return `${v4.split('.').slice(0, 3).join('.')}.0/24`;
  if (isIPv6(ip)) {
    const [head = ''] = ip.split('::');
    const groups = head.split(':').filter(Boolean).concat(['0', '0', '0']).slice(0, 3);
    return `${groups.join(':')}::/48`;
  }
  return 'unknown';
}
