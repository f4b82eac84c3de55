// Which BPF program goes on which TLS library function: entry and return for each, since only the return
// value says how many bytes a call moved (bpf/tls/openssl.h). GnuTLS's record functions have SSL_write's
// and SSL_read's shape, so the same programs serve them.

export interface ProbeSpec {
  func: string;
  prog: string;
  retprobe: boolean;
}

export const TLS_PROBES: readonly ProbeSpec[] = [
  { func: 'SSL_write', prog: 'ct_uprobe_ssl_write', retprobe: false },
  { func: 'SSL_write', prog: 'ct_uretprobe_ssl_io', retprobe: true },
  { func: 'SSL_write_ex', prog: 'ct_uprobe_ssl_write_ex', retprobe: false },
  { func: 'SSL_write_ex', prog: 'ct_uretprobe_ssl_io', retprobe: true },
  { func: 'SSL_read', prog: 'ct_uprobe_ssl_read', retprobe: false },
  { func: 'SSL_read', prog: 'ct_uretprobe_ssl_io', retprobe: true },
  { func: 'SSL_read_ex', prog: 'ct_uprobe_ssl_read_ex', retprobe: false },
  { func: 'SSL_read_ex', prog: 'ct_uretprobe_ssl_io', retprobe: true },
  { func: 'gnutls_record_send', prog: 'ct_uprobe_ssl_write', retprobe: false },
  { func: 'gnutls_record_send', prog: 'ct_uretprobe_ssl_io', retprobe: true },
  { func: 'gnutls_record_recv', prog: 'ct_uprobe_ssl_read', retprobe: false },
  { func: 'gnutls_record_recv', prog: 'ct_uretprobe_ssl_io', retprobe: true },
];
