import { z } from 'zod';

/**
 * True for an http(s) URL on this machine's loopback (localhost, 127.0.0.0/8, ::1).
 * The sandbox's control routes make it POST to URLs it is given (GHL webhooks,
 * inbound texts); it must never become a way to reach anything else.
 */
export function isLoopbackUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** A URL field of a control route: loopback only. */
export const loopbackUrl = z.string().url().refine(isLoopbackUrl, 'the sandbox only calls URLs on this machine (localhost, 127.0.0.0/8, ::1)');
