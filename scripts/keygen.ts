// npm run keygen: makes the project's core-signing key pair (ECDSA P-256).
//
//   keys/core-signing.key.pem   private key: signs uploads (npm run deploy).
//                               Never committed (.gitignore), mode 0600. Keep
//                               a backup: without it no new core can be
//                               installed on boards that trust this key.
//   keys/core-signing.pub.pem   public key: the simulator reads it.
//   keys/core-signing.pub.hex   the same key as 130 hex digits (0x04 || X || Y),
//                               for menuconfig "Live core updates" -> public key.
//
// Refuses to overwrite an existing private key (--force to replace it).
import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { rawPublicKey } from './core-image-format.ts';
import { KEY_DIR, PRIVATE_KEY, PUBLIC_KEY, PUBLIC_KEY_HEX } from './core-keys.ts';

const { values } = parseArgs({ options: { force: { type: 'boolean', default: false } } });

if (existsSync(PRIVATE_KEY) && !values.force) {
  console.error(`${PRIVATE_KEY} exists: boards built with its public key would refuse cores signed with a new one. ` +
    'Use npm run keygen -- --force to replace it anyway.');
  process.exit(1);
}
mkdirSync(KEY_DIR, { recursive: true });
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
writeFileSync(PRIVATE_KEY, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
chmodSync(PRIVATE_KEY, 0o600);
writeFileSync(PUBLIC_KEY, publicKey.export({ type: 'spki', format: 'pem' }));
const hex = Buffer.from(rawPublicKey(publicKey)).toString('hex');
writeFileSync(PUBLIC_KEY_HEX, `${hex}\n`);
console.log(`wrote ${PRIVATE_KEY} (private, keep it out of the repository and back it up)`);
console.log(`wrote ${PUBLIC_KEY} (the simulator reads it) and ${join(KEY_DIR, 'core-signing.pub.hex')}`);
console.log('firmware: idf.py menuconfig -> ESP32 Wasm LED -> Live core updates -> public key:');
console.log(`  ${hex}`);
