import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

// Vendor secrets at rest: AES-256-GCM (node:crypto), one value at a time, stored as
// `fhenc:v1:<key id>:<iv>:<tag>:<ciphertext>` (base64url). The key id names the key that
// sealed it, so keys rotate: the current key seals, any known key (current or previous)
// opens. The field's name is bound in as associated data, so a ciphertext copied into
// another field does not open there.

const PREFIX = 'fhenc:v1:';
const KEY_BYTES = 32;
const IV_BYTES = 12;

type Key = { id: string; bytes: Buffer };

let current: Key | undefined;
const known = new Map<string, Key>();

export class EncryptionKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EncryptionKeyError';
  }
}

/** A key from its base64 text (`openssl rand -base64 32`); throws unless it is 32 bytes. */
export function parseEncryptionKey(text: string): Buffer {
  const bytes = Buffer.from(text.trim(), 'base64');
  if (bytes.length !== KEY_BYTES) throw new EncryptionKeyError(`an encryption key must be ${KEY_BYTES} bytes, base64-encoded (openssl rand -base64 32)`);
  return bytes;
}

/** Short public name of a key: which key sealed a value, without revealing the key. */
export function encryptionKeyId(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('base64url').slice(0, 8);
}

/**
 * Sets this process's keys: `currentKey` seals new values; it and `previousKeys` open
 * stored ones. Call once at start (the API, each worker role, npm start's seed).
 */
export function useEncryptionKeys(currentKey: string | undefined, previousKeys: readonly string[] = []): void {
  known.clear();
  current = undefined;
  for (const text of [...previousKeys, ...(currentKey ? [currentKey] : [])]) {
    const bytes = parseEncryptionKey(text);
    known.set(encryptionKeyId(bytes), { id: encryptionKeyId(bytes), bytes });
  }
  if (currentKey) current = known.get(encryptionKeyId(parseEncryptionKey(currentKey)));
}

/** The id of the key new values are sealed with, if one is set. */
export function currentEncryptionKeyId(): string | undefined {
  return current?.id;
}

function isSealed(value: string): boolean {
  return value.startsWith(PREFIX);
}

/** The id of the key that sealed a stored value (undefined for a value stored in clear). */
export function sealedWith(value: string): string | undefined {
  return isSealed(value) ? value.slice(PREFIX.length).split(':')[0] : undefined;
}

export function sealSecret(plain: string, field: string): string {
  if (!current) throw new EncryptionKeyError('FIELDHAND_ENCRYPTION_KEY is not set: vendor secrets cannot be stored');
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', current.bytes, iv);
  cipher.setAAD(Buffer.from(field));
  const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return `${PREFIX}${current.id}:${iv.toString('base64url')}:${cipher.getAuthTag().toString('base64url')}:${sealed.toString('base64url')}`;
}

/** Opens a sealed value with whichever known key sealed it; a value stored in clear (before encryption) is returned as it is. */
export function openSecret(stored: string, field: string): string {
  if (!isSealed(stored)) return stored;
  const [keyId, iv, tag, data] = stored.slice(PREFIX.length).split(':');
  const key = keyId ? known.get(keyId) : undefined;
  if (!key || !iv || !tag || data === undefined) {
    throw new EncryptionKeyError(`a vendor secret is sealed with key ${keyId ?? '?'}, which this process does not have (FIELDHAND_ENCRYPTION_KEY / FIELDHAND_ENCRYPTION_PREVIOUS_KEYS)`);
  }
  const decipher = createDecipheriv('aes-256-gcm', key.bytes, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(field));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
}
