// Sensitive-data tags (PII and secrets) for fields, parameters and headers, from the name a value travels under
// and from the value's own shape. Tags are bits so a field's tags merge with OR in constant memory; they are
// emitted as `x-sensitive` on the field and summed up per operation in `x-sensitive-data`.

import { formatBitsOf, FORMAT_BIT } from './value-format.ts';

export const SENSITIVE_TAGS = [
  'pii:email',
  'pii:phone',
  'pii:card-number',
  'pii:ssn',
  'pii:date-of-birth',
  'pii:address',
  'pii:person-name',
  'pii:ip-address',
  'secret:password',
  'secret:token',
  'secret:jwt',
  'secret:api-key',
  'secret:credentials',
  'secret:private-key',
] as const;
export type SensitiveTag = (typeof SENSITIVE_TAGS)[number];

export function tagBit(tag: SensitiveTag): number {
  return 1 << SENSITIVE_TAGS.indexOf(tag);
}

/** The tags of a bit set, in SENSITIVE_TAGS order. */
export function tagNames(bits: number): SensitiveTag[] {
  const out: SensitiveTag[] = [];
  for (let i = 0; i < SENSITIVE_TAGS.length; i++) if (bits & (1 << i)) out.push(SENSITIVE_TAGS[i]);
  return out;
}

/** Bits whose values must never appear in examples (PII is masked by shape; these are replaced whole). */
export const SECRET_BITS = SENSITIVE_TAGS.reduce((bits, t, i) => (t.startsWith('secret:') ? bits | (1 << i) : bits), 0);

const BY_NAME = new Map<string, SensitiveTag>();
function names(tag: SensitiveTag, list: string[]): void {
  for (const n of list) BY_NAME.set(n, tag);
}
names('pii:email', ['email', 'emailaddress', 'mail', 'useremail', 'contactemail']);
names('pii:phone', ['phone', 'phonenumber', 'mobile', 'mobilenumber', 'tel', 'telephone', 'msisdn']);
names('pii:card-number', ['cardnumber', 'creditcard', 'creditcardnumber', 'ccnumber', 'pan']);
names('pii:ssn', ['ssn', 'socialsecuritynumber', 'nationalid', 'taxid', 'nin']);
names('pii:date-of-birth', ['dob', 'dateofbirth', 'birthdate', 'birthday']);
names('pii:address', ['address', 'street', 'streetaddress', 'addressline1', 'addressline2', 'postcode', 'postalcode', 'zip', 'zipcode']);
names('pii:person-name', ['firstname', 'lastname', 'fullname', 'givenname', 'familyname', 'surname', 'middlename']);
names('pii:ip-address', ['ip', 'ipaddress', 'clientip', 'remoteip', 'xforwardedfor', 'xrealip']);
names('secret:password', ['password', 'passwd', 'pwd', 'passphrase', 'newpassword', 'oldpassword', 'currentpassword']);
names('secret:token', ['token', 'accesstoken', 'refreshtoken', 'idtoken', 'sessiontoken', 'authtoken', 'xauthtoken', 'xaccesstoken', 'csrftoken', 'xcsrftoken']);
names('secret:api-key', ['apikey', 'xapikey', 'apisecret', 'clientsecret', 'secret', 'secretkey', 'accesskey', 'secretaccesskey']);
names('secret:credentials', ['authorization', 'proxyauthorization', 'credentials']);
names('secret:private-key', ['privatekey']);

function normalizeName(name: string): string {
  let out = '';
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) out += String.fromCharCode(c + 32);
    else if (c !== 0x2d && c !== 0x5f && c !== 0x2e && c !== 0x20) out += name[i];
  }
  return out;
}

// Remembering every name would grow with the traffic: names are few in practice, but bounded all the same.
const nameCache = new Map<string, number>();
const NAME_CACHE_MAX = 4096;

/** Tags implied by the name a value is sent under (JSON key, parameter or header name). */
export function tagsOfName(name: string): number {
  const cached = nameCache.get(name);
  if (cached !== undefined) return cached;
  const tag = BY_NAME.get(normalizeName(name));
  const bits = tag === undefined ? 0 : tagBit(tag);
  if (nameCache.size >= NAME_CACHE_MAX) nameCache.clear();
  nameCache.set(name, bits);
  return bits;
}

const JWT = /^eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*$/;
const SSN = /^\d{3}-\d{2}-\d{4}$/;
const PHONE = /^\+[1-9]\d{0,3}[\s.-]?(?:\(\d{1,4}\)[\s.-]?)?\d{2,4}(?:[\s.-]?\d{2,4}){1,4}$/;
const CARD_CHARS = /^[3-6]\d{3}(?:[ -]?\d{2,4}){2,4}$/;
const KEY_PREFIX = /^(?:sk_live_|sk_test_|rk_live_|ghp_|gho_|github_pat_|xox[abpr]-|AKIA[0-9A-Z]{16}$|AIza[0-9A-Za-z_-]{35}$)/;

/** Luhn check over the digits of `s` (spaces and dashes skipped), for 13 to 19 digits. */
export function luhnValid(s: string): boolean {
  let sum = 0;
  let count = 0;
  for (let i = s.length - 1; i >= 0; i--) {
    const c = s.charCodeAt(i);
    if (c === 0x20 || c === 0x2d) continue;
    let d = c - 0x30;
    if (d < 0 || d > 9) return false;
    if (count % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    count++;
  }
  return count >= 13 && count <= 19 && sum % 10 === 0;
}

/** Tags implied by a string value's shape, whatever it is called. `formats` are its formatBitsOf bits. */
export function tagsOfValue(s: string, formats = formatBitsOf(s)): number {
  let bits = 0;
  if (formats & FORMAT_BIT.email) bits |= tagBit('pii:email');
  if (formats & (FORMAT_BIT.ipv4 | FORMAT_BIT.ipv6)) bits |= tagBit('pii:ip-address');
  const n = s.length;
  if (n < 11) return bits;
  const c = s.charCodeAt(0);
  if (c === 0x65 /* e */ && JWT.test(s)) bits |= tagBit('secret:jwt');
  else if (c >= 0x30 && c <= 0x39) {
    if (n === 11 && SSN.test(s)) bits |= tagBit('pii:ssn');
    else if (n >= 13 && n <= 23 && CARD_CHARS.test(s) && luhnValid(s)) bits |= tagBit('pii:card-number');
  } else if (c === 0x2b /* + */ && PHONE.test(s)) bits |= tagBit('pii:phone');
  else if (c === 0x2d /* - */ && s.startsWith('-----BEGIN') && s.includes('PRIVATE KEY')) bits |= tagBit('secret:private-key');
  else if (KEY_PREFIX.test(s)) bits |= tagBit('secret:api-key');
  return bits;
}
