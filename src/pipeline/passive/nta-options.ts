// Passive mode's settings, compatible with the Invicti NTA tap: each can come from a command-line flag, an
// INVICTI_TAP_* environment variable or a YAML key (in that order of precedence), and a bad value is refused
// with the setting and the token named.
import { CleartapError } from '../../core/errors.ts';
import { parsePortList, type PortSet } from '../../capture/pcap/index.ts';
import { DEFAULT_STATUS_CODES, parseStatusCodes, type StatusCodeSet } from './status-codes.ts';

export type NtaSetting = 'interfaces' | 'ports' | 'statusCodes' | 'excludeHeaders';

export const NTA_SETTINGS: Readonly<Record<NtaSetting, { env: string; flag: string; yaml: string }>> = Object.freeze({
  interfaces: { env: 'INVICTI_TAP_INTERFACES', flag: '--interfaces', yaml: 'interfaces' },
  ports: { env: 'INVICTI_TAP_PORTS', flag: '--ports', yaml: 'ports' },
  statusCodes: { env: 'INVICTI_TAP_HTTP_STATUS_CODES', flag: '--status-codes', yaml: 'http_status_codes' },
  excludeHeaders: { env: 'INVICTI_TAP_EXCLUDE_TRAFFIC_WITH_HEADERS', flag: '--exclude-headers', yaml: 'exclude_traffic_with_headers' },
});

export interface PassiveOptions {
  /** Interface names to capture on; undefined for all. */
  interfaces: readonly string[] | undefined;
  /** Ports to follow (either end of a connection); undefined for all. */
  ports: PortSet | undefined;
  statusCodes: StatusCodeSet;
  /** Header names (lower case) that exclude a transaction. */
  excludeHeaders: readonly string[];
}

export interface PassiveOptionInputs {
  flags?: Partial<Record<NtaSetting, string | undefined>>;
  env?: Readonly<Record<string, string | undefined>>;
  /** The YAML mapping holding the keys and its path in the file, for messages (e.g. "tap.passive"). */
  yaml?: { at: string; values: Readonly<Record<string, unknown>> };
}

/** A setting's text and the name of where it came from; undefined when no source sets it. */
function lookup(setting: NtaSetting, inputs: PassiveOptionInputs): { text: string; source: string } | undefined {
  const names = NTA_SETTINGS[setting];
  const flag = inputs.flags?.[setting];
  if (flag !== undefined) return { text: flag, source: names.flag };
  // An empty variable is how deployments leave a setting at its default.
  const env = inputs.env?.[names.env];
  if (env !== undefined && env.trim() !== '') return { text: env, source: names.env };
  const yaml = inputs.yaml?.values[names.yaml];
  if (yaml === undefined || yaml === null) return undefined;
  const source = `${inputs.yaml!.at}.${names.yaml}`;
  if (Array.isArray(yaml) && yaml.every((v) => typeof v === 'string' || typeof v === 'number')) return { text: yaml.join(','), source };
  if (typeof yaml === 'string' || typeof yaml === 'number') return { text: String(yaml), source };
  throw new CleartapError('CT_ERR_CONFIG', `${source}: expected a string or a list, got ${typeof yaml}`, `e.g. ${names.yaml}: "${example(setting)}"`);
}

function example(setting: NtaSetting): string {
  return { interfaces: 'eth0,eth1', ports: '80,443,5005-6000', statusCodes: '2xx,30x', excludeHeaders: 'x-internal,x-health' }[setting];
}

function tokens(text: string): string[] {
  return text.split(',').map((t) => t.trim());
}

/** Linux interface names: 1–15 bytes, no slash, no whitespace. */
function parseInterfaces(text: string, source: string): string[] {
  const names = tokens(text);
  for (const name of names) {
    if (!/^[^\s/:]{1,15}$/.test(name) || name === '.' || name === '..') {
      throw new CleartapError('CT_ERR_CONFIG', `${source}: "${name}" is not an interface name`, `give interface names separated by commas (e.g. ${example('interfaces')})`);
    }
  }
  return names;
}

/** Header field names are RFC 9110 tokens. */
function parseHeaderNames(text: string, source: string): string[] {
  const names = tokens(text);
  for (const name of names) {
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) {
      throw new CleartapError('CT_ERR_CONFIG', `${source}: "${name}" is not a header name`, `give header names separated by commas (e.g. ${example('excludeHeaders')})`);
    }
  }
  return names.map((n) => n.toLowerCase());
}

export function resolvePassiveOptions(inputs: PassiveOptionInputs): PassiveOptions {
  const interfaces = lookup('interfaces', inputs);
  const ports = lookup('ports', inputs);
  const statusCodes = lookup('statusCodes', inputs);
  const excludeHeaders = lookup('excludeHeaders', inputs);
  return {
    interfaces: interfaces && interfaces.text.trim() !== '' ? parseInterfaces(interfaces.text, interfaces.source) : undefined,
    ports: ports ? parsePortList(ports.text, ports.source) : undefined,
    statusCodes: statusCodes ? parseStatusCodes(statusCodes.text, statusCodes.source) : parseStatusCodes(DEFAULT_STATUS_CODES, 'default'),
    excludeHeaders: excludeHeaders && excludeHeaders.text.trim() !== '' ? parseHeaderNames(excludeHeaders.text, excludeHeaders.source) : [],
  };
}
