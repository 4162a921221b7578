/** Network addresses. Kept free of AWS SDK imports: action inputs use it before any engine loads. */
import { BlockList, isIP } from 'node:net';

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/**
 * True for a loopback address: 127.0.0.0/8, ::1, and IPv4-mapped forms of them. By address only:
 * a name (even "localhost") is resolved by the runner's hosts file and DNS, which the step cannot
 * vouch for, so it is not loopback here. Brackets around an IPv6 address are allowed.
 */
export function isLoopbackAddress(hostname: string): boolean {
  const host = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  const family = isIP(host);
  return family !== 0 && LOOPBACK.check(host, family === 4 ? 'ipv4' : 'ipv6');
}
