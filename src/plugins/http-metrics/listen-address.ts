// http_metrics' `listen`: "host:port", "[v6]:port", ":port" (every interface, as Qtap's ":10001"), or a bare
// port (loopback). Port 0 asks the system for a free port (tests).

export interface ListenAddress {
  /** undefined: every interface. */
  host: string | undefined;
  port: number;
}

export const DEFAULT_LISTEN = '127.0.0.1:10001';

/** The address, or a string saying what is wrong with `value`. */
export function parseListen(value: unknown): ListenAddress | string {
  if (typeof value === 'number') return portOnly(String(value));
  if (typeof value !== 'string') return 'listen must be "host:port", ":port" or a port number';
  const text = value.trim();
  if (/^\d+$/.test(text)) return portOnly(text);
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]*)):(\d+)$/.exec(text);
  if (m === null) return `listen "${text}" is not "host:port", "[v6]:port" or ":port"`;
  const port = Number(m[3]);
  if (port > 65535) return `listen "${text}": port ${port} is above 65535`;
  const host = m[1] ?? m[2]!;
  return { host: host === '' ? undefined : host, port };
}

function portOnly(text: string): ListenAddress | string {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) return `listen port ${text} is not in 0..65535`;
  return { host: '127.0.0.1', port };
}
