import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/** Where event endpoints may point: the same rules at save (here) and at connect time (the agents). */
export type UrlPolicy = {
  /** Loopback, private, link-local, CGNAT… allowed (WEBHOOK_ALLOW_PRIVATE_URLS: the demo and tests). */
  allowPrivate: boolean;
  /** Production: https only. */
  requireHttps: boolean;
};

// Cloud metadata services: refused even when private addresses are allowed.
export const METADATA_ADDRESSES = ['169.254.169.254', 'fd00:ec2::254', '::ffff:169.254.169.254'];

export class EndpointUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EndpointUrlError';
  }
}

/**
 * Why an address may not be connected to, or undefined. Mirrors request-filtering-agent's
 * test (only `unicast` is public; unspecified is never allowed), unwrapping IPv4-mapped IPv6
 * so `::ffff:10.0.0.1` is judged as 10.0.0.1.
 */
export function addressRefusal(address: string, policy: Pick<UrlPolicy, 'allowPrivate'>): string | undefined {
  if (isIP(address) === 0) return `${address} is not an IP address`;
  let parsed: ipaddr.IPv4 | ipaddr.IPv6 = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  const normal = parsed.toString();
  if (METADATA_ADDRESSES.includes(normal)) return `${address} is a cloud metadata address`;
  const range = parsed.range();
  if (range === 'unspecified') return `${address} is the unspecified address`;
  if (range !== 'unicast' && !policy.allowPrivate) return `${address} is a ${range} address, not a public one`;
  return undefined;
}

/**
 * Checks an endpoint URL before it is saved: scheme, no credentials, and every address
 * its host resolves to. Numeric forms (`http://2130706433/`, `0x7f.1`) are normalised by
 * the URL parser first, so they are judged as the address they are.
 */
export async function checkEndpointUrl(text: string, policy: UrlPolicy): Promise<URL> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new EndpointUrlError('url is not a valid absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new EndpointUrlError('url must be http or https');
  if (policy.requireHttps && url.protocol !== 'https:') throw new EndpointUrlError('url must be https');
  if (url.username || url.password) throw new EndpointUrlError('url must not carry credentials');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) !== 0 ? [host] : await resolve(host);
  for (const address of addresses) {
    const refusal = addressRefusal(address, policy);
    if (refusal) throw new EndpointUrlError(`url ${host === address ? '' : `host ${host} resolves to an address that `}is refused: ${refusal}`);
  }
  return url;
}

async function resolve(host: string): Promise<string[]> {
  try {
    const found = await lookup(host, { all: true, verbatim: true });
    if (found.length === 0) throw new Error('no address');
    return found.map((a) => a.address);
  } catch {
    throw new EndpointUrlError(`url host ${host} does not resolve`);
  }
}
