import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

/**
 * The sandbox's own Ed25519 key pair for `x-ghl-signature`. Fieldhand is configured
 * with the public key (GET /_sandbox/ghl/public-key), as it would be with GHL's.
 */
export class GhlWebhookSigner {
  private readonly privateKey: KeyObject;
  readonly publicKeyPem: string;

  constructor() {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    this.privateKey = privateKey;
    this.publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }

  /** Base64 Ed25519 signature over the exact bytes of the body. */
  sign(rawBody: string): string {
    return sign(null, Buffer.from(rawBody, 'utf8'), this.privateKey).toString('base64');
  }
}
