// Where the core-signing keys live (npm run keygen writes them; deploy and the
// simulator read them). keys/*.key.pem is in .gitignore.
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const KEY_DIR = join(fileURLToPath(new URL('../', import.meta.url)), 'keys');
export const PRIVATE_KEY = join(KEY_DIR, 'core-signing.key.pem');
export const PUBLIC_KEY = join(KEY_DIR, 'core-signing.pub.pem');
export const PUBLIC_KEY_HEX = join(KEY_DIR, 'core-signing.pub.hex');

export function loadPrivateKey(path = PRIVATE_KEY): KeyObject {
  if (!existsSync(path)) throw new Error(`${path} is missing: run npm run keygen first (or pass --key)`);
  return createPrivateKey(readFileSync(path));
}

/** The public key at `path`, or null when there is none (updates disabled). */
export function loadPublicKey(path = PUBLIC_KEY): KeyObject | null {
  if (!existsSync(path)) return null;
  return createPublicKey(readFileSync(path));
}
