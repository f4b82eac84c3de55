/* ct_go_calls ((tgid, goroutine) → a crypto/tls.(*Conn).Read/Write call in progress): Go's return
 * values are read at the function's RET instructions (a uretprobe rewrites the return address, which
 * Go's stack growth and tracebacks cannot survive), and a goroutine may resume on another thread
 * than it started on, so calls are keyed by the goroutine (its g pointer, in R14), not by thread. */
#ifndef CT_MAP_GO_TLS_H
#define CT_MAP_GO_TLS_H
struct ct_go_call_key {
	__u64 g;
	__u32 pid;
	__u32 pad;
};

struct ct_go_call {
	__u64 conn; /* the *tls.Conn: the stream id, as an SSL* is for OpenSSL */
	__u64 buf;
	__u32 cookie;
	__u8 op;
	__u8 pad[3];
	__u64 ts_ns; /* the call's entry */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct ct_go_call_key);
	__type(value, struct ct_go_call);
} ct_go_calls SEC(".maps");
#endif
