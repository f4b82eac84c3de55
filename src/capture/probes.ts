// Which BPF program goes on which OpenSSL function: entry and return for each, since only the return
// value says how many bytes a call moved (bpf/tls/openssl.h).

export interface ProbeSpec {
  func: string;
  prog: string;
  retprobe: boolean;
}

export const OPENSSL_PROBES: readonly ProbeSpec[] = [
  { func: 'SSL_write', prog: 'ct_uprobe_ssl_write', retprobe: false },
  { func: 'SSL_write', prog: 'ct_uretprobe_ssl_io', retprobe: true },
  { func: 'SSL_write_ex', prog: 'ct_uprobe_ssl_write_ex', retprobe: false },
  { func: 'SSL_write_ex', prog: 'ct_uretprobe_ssl_io', retprobe: true },
  { func: 'SSL_read', prog: 'ct_uprobe_ssl_read', retprobe: false },
  { func: 'SSL_read', prog: 'ct_uretprobe_ssl_io', retprobe: true },
  { func: 'SSL_read_ex', prog: 'ct_uprobe_ssl_read_ex', retprobe: false },
  { func: 'SSL_read_ex', prog: 'ct_uretprobe_ssl_io', retprobe: true },
];

/** The functions a binary must export for its TLS to be captured at all. */
export const OPENSSL_REQUIRED = ['SSL_read', 'SSL_write'] as const;
