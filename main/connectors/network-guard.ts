// Which addresses a connector may reach. Private, loopback, link-local and other non-public
// addresses are refused unless the connector allows internal hosts, so an action (or a redirect, or
// a hostname that resolves somewhere unexpected) cannot be turned against the machine or its network.
// The check runs on the address actually connected to (through the socket's DNS lookup), so a name
// that resolves differently between a check and the connection gains nothing.
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions, type LookupOneOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { ConnectorError } from './errors';

export interface NetworkPolicy {
  /** The connector's allowInternalHosts. */
  allowInternal: boolean;
  /**
   * Tests only: loopback addresses on these ports pass even when internal hosts are refused, so a
   * test's own 127.0.0.1 server can be reached while everything else stays refused. Never set by
   * definitions, the CLI or the app.
   */
  loopbackPortsForTesting?: ReadonlySet<number>;
}

const RANGES: [string, number, 'ipv4' | 'ipv6', string][] = [
  ['0.0.0.0', 8, 'ipv4', 'a "this network" address'],
  ['10.0.0.0', 8, 'ipv4', 'a private address'],
  ['100.64.0.0', 10, 'ipv4', 'a shared (carrier-grade NAT) address'],
  ['127.0.0.0', 8, 'ipv4', 'a loopback address'],
  ['169.254.0.0', 16, 'ipv4', 'a link-local address'],
  ['172.16.0.0', 12, 'ipv4', 'a private address'],
  ['192.0.0.0', 24, 'ipv4', 'a reserved address'],
  ['192.0.2.0', 24, 'ipv4', 'a documentation address'],
  ['192.168.0.0', 16, 'ipv4', 'a private address'],
  ['198.18.0.0', 15, 'ipv4', 'a benchmarking address'],
  ['198.51.100.0', 24, 'ipv4', 'a documentation address'],
  ['203.0.113.0', 24, 'ipv4', 'a documentation address'],
  ['224.0.0.0', 4, 'ipv4', 'a multicast address'],
  ['240.0.0.0', 4, 'ipv4', 'a reserved address'],
  ['::', 128, 'ipv6', 'the unspecified address'],
  ['::1', 128, 'ipv6', 'a loopback address'],
  ['fc00::', 7, 'ipv6', 'a private (unique local) address'],
  ['fe80::', 10, 'ipv6', 'a link-local address'],
  ['fec0::', 10, 'ipv6', 'a site-local address'],
  ['ff00::', 8, 'ipv6', 'a multicast address'],
  ['2001:db8::', 32, 'ipv6', 'a documentation address'],
  ['100::', 64, 'ipv6', 'a discard address'],
  // Local-use NAT64 (RFC 8215) translates to whatever the local network chooses, so no embedded
  // address can be trusted to be public.
  ['64:ff9b:1::', 48, 'ipv6', 'a local-use NAT64 address'],
];

const lists = RANGES.map(([network, prefix, type, description]) => {
  const list = new BlockList();
  list.addSubnet(network, prefix, type);
  return { list, type, description, loopback: description === 'a loopback address' };
});

/** Why an address is internal (e.g. "a loopback address"), or null for a public one. */
export function internalAddress(address: string): { description: string; loopback: boolean } | null {
  const family = isIP(address);
  if (family === 0) return { description: 'not an IP address', loopback: false };
  const embedded = family === 6 ? embeddedIPv4(address) : null;
  if (embedded) return internalAddress(embedded);
  for (const { list, type, description, loopback } of lists) {
    if ((type === 'ipv4') === (family === 4) && list.check(address, type)) return { description, loopback };
  }
  return null;
}

/**
 * The IPv4 address an IPv6 address carries, for the prefixes that route to it: IPv4-mapped
 * (::ffff:0:0/96), IPv4-compatible (::/96), SIIT IPv4-translated (::ffff:0:0:0/96), well-known
 * NAT64 (64:ff9b::/96), 6to4 (2002::/16, the IPv4 in the second and third groups) and Teredo
 * (2001::/32, the client's IPv4 inverted in the last two groups).
 */
function embeddedIPv4(address: string): string | null {
  const groups = expandIPv6(address);
  if (!groups) return null;
  const zeros = (from: number, to: number) => groups.slice(from, to).every((group) => group === 0);
  const dotted = (high: number, low: number) => `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
  if (groups[0] === 0x2002) return dotted(groups[1]!, groups[2]!);
  if (groups[0] === 0x2001 && groups[1] === 0) return dotted(~groups[6]! & 0xffff, ~groups[7]! & 0xffff);
  const mapped = zeros(0, 5) && groups[5] === 0xffff;
  const translated = zeros(0, 4) && groups[4] === 0xffff && groups[5] === 0;
  const compatible = zeros(0, 6) && (groups[6] !== 0 || groups[7]! > 1);
  const nat64 = groups[0] === 0x64 && groups[1] === 0xff9b && zeros(2, 6);
  if (!mapped && !translated && !compatible && !nat64) return null;
  return dotted(groups[6]!, groups[7]!);
}

function expandIPv6(address: string): number[] | null {
  let text = address.split('%')[0]!.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const parts = dotted[1]!.split('.').map(Number);
    text = `${text.slice(0, dotted.index)}${((parts[0]! << 8) | parts[1]!).toString(16)}:${((parts[2]! << 8) | parts[3]!).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const missing = 8 - headGroups.length - tailGroups.length;
  if (tail === undefined ? missing !== 0 : missing < 0) return null;
  const groups = [...headGroups, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...tailGroups].map((group) => parseInt(group, 16));
  return groups.length === 8 && groups.every((group) => Number.isInteger(group) && group >= 0 && group <= 0xffff) ? groups : null;
}

/** Why connecting to this address is refused, or null when it is allowed. */
export function refusal(address: string, port: number, policy: NetworkPolicy): string | null {
  if (policy.allowInternal) return null;
  const internal = internalAddress(address);
  if (!internal) return null;
  if (internal.loopback && policy.loopbackPortsForTesting?.has(port)) return null;
  return `${address} is ${internal.description}; a connector reaches internal hosts only when its definition sets allowInternalHosts`;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A `lookup` for http.request that only hands the socket addresses the policy allows. */
export function guardedLookup(policy: NetworkPolicy, port: number) {
  return (hostname: string, options: LookupOneOptions | LookupAllOptions, callback: LookupCallback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const allowed = addresses.filter((entry) => refusal(entry.address, port, policy) === null);
      if (allowed.length === 0) {
        const first = addresses[0];
        const message = first ? `Refused to connect to ${hostname} (${first.address}): ${refusal(first.address, port, policy)}.` : `Refused to connect to ${hostname}: it has no address.`;
        return callback(new ConnectorError(message, 'refused') as NodeJS.ErrnoException, []);
      }
      if ((options as LookupAllOptions).all) return callback(null, allowed);
      return callback(null, allowed[0]!.address, allowed[0]!.family);
    });
  };
}

/** Refuses an IP-literal host up front (sockets skip the lookup for those). */
export function checkLiteralHost(hostname: string, port: number, policy: NetworkPolicy): void {
  const bare = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  if (isIP(bare) === 0) return;
  const reason = refusal(bare, port, policy);
  if (reason) throw new ConnectorError(`Refused to connect to ${hostname}: ${reason}.`, 'refused');
}
