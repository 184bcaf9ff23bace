import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from 'request-filtering-agent';
import { METADATA_ADDRESSES, type UrlPolicy } from '../url-policy.js';

export type DeliveryAgents = { http: RequestFilteringHttpAgent; https: RequestFilteringHttpsAgent };

/**
 * One pair of agents per process. request-filtering-agent checks the address each new
 * socket connects to (after DNS, so a name that resolves to a private address or is
 * rebound later is still refused); a kept-alive socket was checked when it connected.
 */
export function deliveryAgents(policy: Pick<UrlPolicy, 'allowPrivate'>): DeliveryAgents {
  const options = {
    keepAlive: true,
    maxSockets: 50,
    allowPrivateIPAddress: policy.allowPrivate,
    allowMetaIPAddress: false,
    denyIPAddressList: METADATA_ADDRESSES,
  };
  return { http: new RequestFilteringHttpAgent(options), https: new RequestFilteringHttpsAgent(options) };
}
