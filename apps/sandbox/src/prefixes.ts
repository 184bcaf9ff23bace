/**
 * Where each vendor lives on the sandbox host. One host serves all three vendors, so
 * each gets a path prefix; production code only ever sees these through its base URLs
 * (SERVICETITAN_AUTH_URL, SERVICETITAN_API_URL, GHL_API_URL, TWILIO_API_URL).
 */
export const VENDOR_PREFIXES = {
  servicetitanAuth: '/servicetitan/auth',
  servicetitanApi: '/servicetitan/api',
  ghl: '/ghl',
  twilio: '/twilio',
  control: '/_sandbox',
  phone: '/phone',
} as const;

export type Vendor = 'servicetitan' | 'ghl' | 'twilio';

/** The vendor base URLs a Fieldhand process should be given to talk to this sandbox. */
export function vendorBaseUrls(sandboxUrl: string): Record<string, string> {
  const base = sandboxUrl.replace(/\/$/, '');
  return {
    SERVICETITAN_AUTH_URL: base + VENDOR_PREFIXES.servicetitanAuth,
    SERVICETITAN_API_URL: base + VENDOR_PREFIXES.servicetitanApi,
    GHL_API_URL: base + VENDOR_PREFIXES.ghl,
    TWILIO_API_URL: base + VENDOR_PREFIXES.twilio,
  };
}
