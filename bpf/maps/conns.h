/* ct_conns: TCP sockets (AF_INET/AF_INET6, SOCK_STREAM) being traced, keyed by (tgid, fd).
 * Created at accept/connect or at the first read/write of a socket the agent had not seen; deleted
 * on close(). Processes can die without closing, so it is LRU-bounded and user space deletes the
 * entries of an exited process (it has seen every one in a CT_EV_CONN record). */
#ifndef CT_MAP_CONNS_H
#define CT_MAP_CONNS_H
#define CT_CONNS_MAX 65536

struct ct_conn_key {
	__u32 pid;
	__u32 fd;
};

struct ct_conn {
	__u64 conn_id;
	__u64 ssl;        /* SSL* bound to this socket (0: none seen yet) */
	__u64 offset[2];  /* plaintext bytes seen so far, per CT_OP_* */
	__u8 dir;         /* CT_DIR_* */
	__u8 tls;         /* 1: ciphertext — payloads come from the TLS probes, never from here */
	__u8 sniffed;     /* 1: the first payload was inspected for a TLS record header */
	__u8 dgram;       /* 1: a UDP socket connected to port 53 (DNS): each call is one message */
	__u8 pad[4];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, CT_CONNS_MAX);
	__type(key, struct ct_conn_key);
	__type(value, struct ct_conn);
} ct_conns SEC(".maps");
#endif
