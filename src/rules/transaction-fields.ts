// A Transaction → the fields Qtap exposes to rules (qtap-reference.md §2.3). Built once per transaction, so
// addresses are parsed here and every rule evaluated on the result reads them without allocating.
//
// | field                          | from                                                              |
// |--------------------------------|-------------------------------------------------------------------|
// | protocol                       | tx.protocol ('http1')                                             |
// | direction                      | qtapDirection(tx.direction, tx.remote.address): ingress, egress-internal, egress-external |
// | tags                           | context.tags ([] when none)                                       |
// | tls.enabled                    | true when tx.scheme is https; no tls.* at all otherwise           |
// | tls.sni                        | tx.tls.sni, the ClientHello's server name, when it was seen       |
// | src.ip, src.port               | tx.local: this host's end of the connection                       |
// | src.process.path, .binary      | process.exe and its basename                                      |
// | src.process.hostname           | context.hostname                                                  |
// | src.process.user.id, .name     | process.uid, process.user                                         |
// | src.container.id               | the first 12 characters of process.containerId                    |
// | src.container.name, .image     | process.container: what the container runtime says                |
// | src.container.labels.<k>       | the container's labels                                            |
// | src.pod.name, .namespace       | the Kubernetes pod, from the runtime's annotations                |
// | dst.ip, dst.port               | tx.remote: the peer                                               |
// | dst.domain                     | tx.host, lowercased, when it is a name rather than an IP address; |
// |                                | else the TLS server name (SNI) when there is one                  |
// | http.req.method, .path, .url   | the request's method, path and absolute URL                       |
// | http.req.scheme                | tx.scheme                                                         |
// | http.req.host                  | the Host header as sent (it may carry a port), else tx.host       |
// | http.req.headers.<name>        | request headers by lowercased name; repeated ones joined with ", " |
// | http.res.status                | the response status; no http.res at all without a response        |
// | http.res.headers.<name>        | response headers, as for the request                              |
//
// Fields whose source is unknown are absent, so rules that use them come out 'missing'.
import { transactionDomain } from '../core/transaction-domain.ts';
import { parseIp, qtapDirection } from '../core/ip.ts';
import type { HeaderList, NetEndpoint, Transaction } from '../core/transaction.ts';
import type { RuleFields } from './rule-values.ts';

type MutableFields = { [name: string]: RuleFields[string] };

/** Lowercased names → values; null prototype, so a header named "__proto__" is just a key. */
function headerMap(headers: HeaderList): MutableFields {
  const map: MutableFields = Object.create(null) as MutableFields;
  for (const [name, value] of headers) {
    const key = name.toLowerCase();
    const previous = map[key];
    map[key] = typeof previous === 'string' ? `${previous}, ${value}` : value;
  }
  return map;
}

function endpointFields(ep: NetEndpoint | undefined): MutableFields {
  const out: MutableFields = {};
  if (ep === undefined) return out;
  const ip = parseIp(ep.address);
  if (ip !== undefined) out.ip = ip;
  out.port = ep.port;
  return out;
}

function hostHeader(headers: HeaderList): string | undefined {
  for (const [name, value] of headers) if (name.length === 4 && name.toLowerCase() === 'host') return value;
  return undefined;
}

export function transactionFields(tx: Transaction, context?: { hostname?: string; tags?: string[] }): RuleFields {
  const src = endpointFields(tx.local);
  const processFields: MutableFields = {};
  const p = tx.process;
  if (p !== undefined) {
    processFields.path = p.exe;
    processFields.binary = p.exe.slice(p.exe.lastIndexOf('/') + 1);
    processFields.user = { id: p.uid, name: p.user };
    if (p.containerId !== undefined && p.containerId !== '') {
      const c = p.container;
      src.container = {
        id: p.containerId.slice(0, 12),
        ...(c?.name === undefined ? {} : { name: c.name }),
        ...(c?.image === undefined ? {} : { image: c.image }),
        ...(c?.labels === undefined ? {} : { labels: c.labels }),
      };
      if (c?.pod !== undefined) src.pod = { ...(c.pod.name === undefined ? {} : { name: c.pod.name }), ...(c.pod.namespace === undefined ? {} : { namespace: c.pod.namespace }) };
    }
  }
  if (context?.hostname !== undefined) processFields.hostname = context.hostname;
  if (Object.keys(processFields).length > 0) src.process = processFields;

  const dst = endpointFields(tx.remote);
  const domain = transactionDomain(tx);
  if (domain !== undefined) dst.domain = domain;

  const req = tx.request;
  const http: MutableFields = {
    req: {
      method: req.method,
      path: req.path,
      scheme: tx.scheme,
      host: hostHeader(req.headers) ?? tx.host,
      url: req.url,
      headers: headerMap(req.headers),
    },
  };
  if (tx.response !== undefined) http.res = { status: tx.response.status, headers: headerMap(tx.response.headers) };

  const fields: MutableFields = {
    protocol: tx.protocol,
    direction: qtapDirection(tx.direction, tx.remote?.address),
    tags: context?.tags ?? [],
    src,
    dst,
    http,
  };
  if (tx.scheme === 'https') fields.tls = tx.tls?.sni === undefined ? { enabled: true } : { enabled: true, sni: tx.tls.sni };
  return fields;
}
