// Public surface of the DNS parser: messages (UDP payloads, or TCP messages cut out by DnsTcpReader), query/answer
// pairing, and answers as text.
export { dnsAnswersAsText } from './answers-text.ts';
export { dnsClassName, dnsRcodeName, dnsTypeName, DNS_TYPE } from './codes.ts';
export { DEFAULT_MAX_PENDING_QUERIES, DnsExchangeMatcher, type DnsExchange, type DnsMatcherCounters } from './exchange-matcher.ts';
export { parseDnsMessage } from './message.ts';
export { DnsTcpReader, type DnsTcpCounters } from './tcp-reader.ts';
export type { DnsMessage, DnsQuestion, DnsRecord, DnsRecordData, SvcbData } from './types.ts';
