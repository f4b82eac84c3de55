// The transaction record every stage after the protocol parsers works on (design.md, "A transaction").
// Times are wall-clock milliseconds since the Unix epoch; the kernel's monotonic stamps are converted once,
// in capture/, so nothing downstream needs to know about boot time.

/** egress: this host's process opened the connection (connect); ingress: it accepted it (accept). */
export type Direction = 'egress' | 'ingress';

export interface NetEndpoint {
  address: string;
  port: number;
}

/** Header fields in wire order with their original case; repeated names stay repeated. */
export type HeaderList = Array<[name: string, value: string]>;

export interface ProcessContext {
  pid: number;
  /** Absolute path of the executable (from the exec event or /proc/PID/exe). */
  exe: string;
  cmdline: string[];
  uid: number;
  /** User name from the host's /etc/passwd (uids in /proc are host uids), or the uid as text when unknown. */
  user: string;
  /** The process's cgroup (the container's, or its service's); '' for the root cgroup. */
  cgroupPath: string;
  /** 64-hex container id (docker, containerd, cri-o, podman) when the cgroup path names one. */
  containerId?: string;
  /** Kubernetes pod UID when the cgroup path names one. */
  podUid?: string;
  /** The pod's QoS class, from where its cgroup sits. */
  podQos?: 'guaranteed' | 'burstable' | 'besteffort';
  /** What the container runtime says about the container (names, image, labels, pod), once resolved. */
  container?: ContainerFacts;
}

export interface ContainerFacts {
  name?: string;
  image?: string;
  labels?: Record<string, string>;
  pod?: { name?: string; namespace?: string; uid?: string };
}

export interface HttpRequestRecord {
  method: string;
  /** Absolute URL: scheme://authority + target (authority from the Host header, else the remote address). */
  url: string;
  /** The request-target as sent (origin form for most requests). */
  target: string;
  path: string;
  /** "HTTP/1.1", "HTTP/1.0". */
  version: string;
  headers: HeaderList;
  trailers?: HeaderList;
  /** The first bytes of the decoded body (bounded by the capture limits); empty when there is none. */
  body: Uint8Array;
  /** Decoded body size (after de-chunking), whether or not all of it was kept. */
  bodySize: number;
  bodyTruncated: boolean;
}

export interface HttpResponseRecord {
  status: number;
  reason: string;
  version: string;
  headers: HeaderList;
  trailers?: HeaderList;
  body: Uint8Array;
  bodySize: number;
  bodyTruncated: boolean;
}

export type TlsLibrary = 'openssl' | 'node-openssl' | 'gnutls' | 'go';

export interface Transaction {
  /** Unique within this agent run. */
  id: string;
  connectionId: string;
  /** First byte of the request seen. */
  startTime: number;
  /** Last byte of the response seen (or of the request when there is no response). */
  endTime: number;
  durationMs: number;
  direction: Direction;
  local?: NetEndpoint;
  remote?: NetEndpoint;
  /** Host header (without port), else the remote address. */
  host: string;
  scheme: 'http' | 'https';
  protocol: 'http1' | 'http2';
  /** Set when the plaintext came from a TLS library probe. */
  tlsLibrary?: TlsLibrary;
  /** What the TLS handshake said in the clear (the ClientHello's server name). */
  tls?: { sni?: string };
  /** The name the remote address was looked up as, from DNS answers this host received (egress). */
  dnsName?: string;
  process?: ProcessContext;
  request: HttpRequestRecord;
  /** Absent when the connection ended before a response was seen. */
  response?: HttpResponseRecord;
  /** Bytes this process wrote / read for this exchange, head and body as on the wire (plaintext). */
  bytesSent: number;
  bytesReceived: number;
  /** The exchange switched protocols (101 / CONNECT); bytes after it are not parsed. */
  upgraded?: boolean;
  /** HTTP/2: the stream was reset (RST_STREAM), by which end and with which error. */
  streamReset?: { by: 'client' | 'server'; error: string };
  /** A gRPC call (HTTP/2 with content-type application/grpc*). */
  grpc?: GrpcCall;
  /** HTTP/2: some header fields could not be decoded (the capture joined the connection late). */
  headersIncomplete?: true;
  /** Bytes of this exchange the capture never saw (ring-buffer drops, truncated calls). */
  gapBytes?: number;
  /** The request or the response ended before its framing did (connection or capture ended first). */
  incomplete?: true;
}

export interface GrpcCall {
  service: string;
  method: string;
  /** grpc-status (0 = OK) and its name; absent when the call did not finish. */
  status?: number;
  statusName?: string;
  message?: string;
  requestMessages: number;
  responseMessages: number;
}

/** One DNS question and its answer, as tap.audit_include_dns reports it (the DNS parser fills these). */
export interface DnsAuditRecord {
  /** Wall-clock ms of the query. */
  time: number;
  process?: ProcessContext;
  /** The resolver asked. */
  server?: NetEndpoint;
  name: string;
  /** "A", "AAAA", "CNAME", … */
  type: string;
  /** "NOERROR", "NXDOMAIN", …; absent when no answer was seen. */
  rcode?: string;
  answers: string[];
  /** From the query to its answer, when both were seen. */
  latencyMs?: number;
}
