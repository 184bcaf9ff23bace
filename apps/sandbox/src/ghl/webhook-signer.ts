import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

/**
 * The sandbox's own Ed25519 key pair for `x-ghl-signature`. Fieldhand is configured
 * with the public key (GET /_sandbox/ghl/public-key), as it would be with GHL's. A new
 * pair per start unless a private key is given (the demo keeps one in .fieldhand/, so
 * the API it starts beside can be configured before the sandbox runs).
 */
export class GhlWebhookSigner {
  private readonly privateKey: KeyObject;
  readonly publicKeyPem: string;

  constructor(privateKeyPem?: string) {
    this.privateKey = privateKeyPem ? createPrivateKey(privateKeyPem) : generateKeyPairSync('ed25519').privateKey;
    if (this.privateKey.asymmetricKeyType !== 'ed25519') throw new Error('the GHL webhook signing key must be an Ed25519 private key');
    this.publicKeyPem = createPublicKey(this.privateKey).export({ type: 'spki', format: 'pem' }).toString();
  }

  /** Base64 Ed25519 signature over the exact bytes of the body. */
  sign(rawBody: string): string {
    return sign(null, Buffer.from(rawBody, 'utf8'), this.privateKey).toString('base64');
  }
}
