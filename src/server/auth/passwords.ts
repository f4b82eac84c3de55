// Local users' passwords, hashed with scrypt (memory-hard, in node:crypto). The stored form carries its own
// parameters — scrypt$N$r$p$salt$hash, base64url — so the cost can be raised later without invalidating
// existing hashes. Verification compares in constant time, and a login for an unknown user still runs one scrypt
// (against a fixed dummy hash) so that response times do not tell which user names exist.

import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** ~32 MiB and tens of milliseconds per hash: OWASP's scrypt floor is N=2^17 at r=8 for p=1; we take 2^15 with a
 *  per-deployment knob (tests and small boxes), since every login pays it on the event loop's thread pool. */
export const DEFAULT_SCRYPT: ScryptParams = { N: 1 << 15, r: 8, p: 1 };

const KEY_BYTES = 32;
const SALT_BYTES = 16;

function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + (1 << 20) };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, params);
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

function parse(stored: string): { params: ScryptParams; salt: Buffer; key: Buffer } | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  if (![N, r, p].every((n) => Number.isInteger(n) && n > 0)) return undefined;
  return { params: { N, r, p }, salt: Buffer.from(parts[4], 'base64url'), key: Buffer.from(parts[5], 'base64url') };
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (parsed === undefined) return false;
  const key = await derive(password, parsed.salt, parsed.params);
  return key.length === parsed.key.length && timingSafeEqual(key, parsed.key);
}

/** Verifies against a throwaway hash: the same work as a real check, for logins of users that do not exist. */
export function dummyVerifier(params: ScryptParams = DEFAULT_SCRYPT): (password: string) => Promise<false> {
  let dummy: Promise<string> | undefined;
  return async (password) => {
    dummy ??= hashPassword(randomBytes(16).toString('hex'), params);
    await verifyPassword(password, await dummy);
    return false;
  };
}
