/* The three TLS maps, all keyed by thread or by SSL* and LRU-bounded.
 *
 * ct_tls_read_args (pid_tgid → SSL_read arguments): SSL_read's plaintext exists only when it
 *   returns, so the entry probe stashes where it will land and the return probe emits it.
 * ct_tls_last (pid_tgid → the last SSL* this thread called into): lets the socket syscall that
 *   carries its ciphertext tie the SSL* to the fd (CT_EV_BIND), which gives the TLS stream its
 *   addresses and direction. Consumed by the first matching socket syscall.
 * ct_tls_offsets ((tgid, SSL*) → bytes seen per direction): stream offsets so that user space
 *   sees every lost byte as a gap, whatever dropped it. */
#ifndef CT_MAP_TLS_H
#define CT_MAP_TLS_H
struct ct_tls_read_args {
	__u64 ssl;
	__u64 buf;
	__u64 readbytes; /* SSL_read_ex's size_t *readbytes; 0 for SSL_read */
	__u32 cookie;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct ct_tls_read_args);
} ct_tls_read_args SEC(".maps");

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
