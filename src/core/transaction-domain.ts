// The domain a transaction went to, for rules (dst.domain) and tap.endpoints alike: the Host header's name
// (lowercased), else the TLS ClientHello's server name when the Host is an address, else the name DNS gave the
// remote address; undefined when none names a host.
import { ipScratch, parseIpInto } from './ip.ts';
import type { Transaction } from './transaction.ts';

const scratch = ipScratch();

export function transactionDomain(tx: Transaction): string | undefined {
  // "unknown" is what stream/ names the host when there was neither a Host header nor an address.
  const hostKnown = tx.host !== '' && !(tx.host === 'unknown' && tx.remote === undefined);
  if (hostKnown && !parseIpInto(tx.host, scratch)) return tx.host.toLowerCase();
  return tx.tls?.sni ?? tx.dnsName;
}
