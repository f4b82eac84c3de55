/* The three TLS maps, all keyed by thread or by SSL* and LRU-bounded.
 *
 * ct_tls_args (pid_tgid → SSL_read/SSL_write arguments): only the return value says how many
 *   bytes really moved (a write during the handshake fails and is retried later), so the entry probe
 *   stashes the buffer and the return probe emits what the call moved.
 * ct_tls_last (pid_tgid → the SSL* of this thread's last successful SSL_write): lets the send
 *   that carries its ciphertext right after the call tie the SSL* to the fd (CT_EV_BIND), which
 *   gives the TLS stream its addresses and direction (Node). Consumed by the first send.
 * ct_tls_offsets ((tgid, SSL*) → bytes seen per direction): stream offsets so that user space
 *   sees every lost byte as a gap, whatever dropped it. */
#ifndef CT_MAP_TLS_H
#define CT_MAP_TLS_H
struct ct_tls_args {
	__u64 ssl;
	__u64 buf;
	__u64 nbytes; /* the _ex variants' size_t *readbytes / *written; 0 for SSL_read/SSL_write */
	__u32 cookie;
	__u8 op;      /* CT_OP_* */
	__u8 sock_io; /* a socket syscall in the same direction happened inside the call (socket BIO) */
	__u8 pad[2];
	__u64 ts_ns;  /* the call's entry */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct ct_tls_args);
} ct_tls_args SEC(".maps");

struct ct_tls_last {
	__u64 ssl;
	__u64 ts_ns;
	__u32 cookie;
	__u8 op;
	__u8 pad[3];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct ct_tls_last);
} ct_tls_last SEC(".maps");

struct ct_tls_key {
	__u64 ssl;
	__u32 pid;
	__u32 pad;
};

struct ct_tls_offsets {
	__u64 offset[2];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct ct_tls_key);
	__type(value, struct ct_tls_offsets);
} ct_tls_offsets SEC(".maps");
#endif
