/* Socket tracking: from an fd to a traced TCP connection, and the SSL* ↔ socket binding. */
#ifndef CT_SOCK_CONN_H
#define CT_SOCK_CONN_H

#define CT_AF_INET 2
#define CT_AF_INET6 10
#define CT_SOCK_STREAM 1
#define CT_SOCK_DGRAM 2
#define CT_S_IFMT 00170000
#define CT_S_IFSOCK 0140000
/* How long after SSL_write returns its ciphertext may still be sent (Node) and bind. */
#define CT_BIND_WINDOW_NS (50ULL * 1000 * 1000)

/* The struct socket behind fd in the current process, or NULL when fd is not a socket. Runs on every
 * read/write of every fd the agent does not know yet, so it reaches the fd table with direct
 * (BTF-typed) loads rather than one probe-read helper call per pointer; the indexed slot and what
 * hangs off it are read with helpers (a variable index into a BTF pointer is not allowed). */
static __always_inline struct socket *ct_fd_socket(__u32 fd)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct fdtable *fdt = task->files->fdt;
	if (fd >= fdt->max_fds)
		return NULL;
	struct file *file = NULL;
	if (bpf_probe_read_kernel(&file, sizeof(file), &fdt->fd[fd]) || !file)
		return NULL;
	umode_t mode = BPF_CORE_READ(file, f_inode, i_mode);
	if ((mode & CT_S_IFMT) != CT_S_IFSOCK)
		return NULL;
	return (struct socket *)BPF_CORE_READ(file, private_data);
}

/* Starts tracing fd when it is an IPv4/IPv6 stream socket; emits CT_EV_CONN with its addresses. */
static __always_inline struct ct_conn *ct_conn_track(__u32 pid, __u32 fd, __u8 dir)
{
	struct socket *sock = ct_fd_socket(fd);
	if (!sock)
		return NULL;
	short type = BPF_CORE_READ(sock, type);
	if (type != CT_SOCK_STREAM && type != CT_SOCK_DGRAM)
		return NULL;
	struct sock *sk = BPF_CORE_READ(sock, sk);
	if (!sk)
		return NULL;
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family != CT_AF_INET && family != CT_AF_INET6)
		return NULL;
	/* Of UDP, only DNS: a socket connected to port 53, as resolvers (glibc, c-ares, Go) use. */
	__u8 dgram = type == CT_SOCK_DGRAM;
	if (dgram && bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport)) != CT_DNS_PORT)
		return NULL;

	__u64 now = bpf_ktime_get_ns();
	struct ct_conn_key key = {.pid = pid, .fd = fd};
	struct ct_conn conn = {.conn_id = now, .dir = dir, .dgram = dgram, .sniffed = dgram};
	if (bpf_map_update_elem(&ct_conns, &key, &conn, BPF_ANY))
		return NULL;
	ct_count(CT_CNT_CONN_TRACKED, 1);

	struct ct_conn_event ev = {
		.kind = CT_EV_CONN,
		.dir = dir,
		.family = family,
		.pid = pid,
		.ts_ns = now,
		.conn_id = now,
		.fd = fd,
	};
	ev.lport = BPF_CORE_READ(sk, __sk_common.skc_num);
	ev.rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (family == CT_AF_INET) {
		BPF_CORE_READ_INTO(&ev.laddr, sk, __sk_common.skc_rcv_saddr);
		BPF_CORE_READ_INTO(&ev.raddr, sk, __sk_common.skc_daddr);
	} else {
		BPF_CORE_READ_INTO(&ev.laddr, sk, __sk_common.skc_v6_rcv_saddr);
		BPF_CORE_READ_INTO(&ev.raddr, sk, __sk_common.skc_v6_daddr);
	}
	ct_output(&ev, sizeof(ev), ct_rb_flags());
	return bpf_map_lookup_elem(&ct_conns, &key);
}

static __always_inline struct ct_conn *ct_conn_get(__u32 pid, __u32 fd)
{
	struct ct_conn_key key = {.pid = pid, .fd = fd};
	struct ct_conn *conn = bpf_map_lookup_elem(&ct_conns, &key);
	return conn ? conn : ct_conn_track(pid, fd, CT_DIR_UNKNOWN);
}

/* Records that `ssl` carries this socket's plaintext, once per socket (CT_EV_BIND). */
static __always_inline void ct_conn_tie(struct ct_conn *conn, __u32 pid, __u32 fd, __u64 ssl, __u32 cookie)
{
	conn->ssl = ssl;
	struct ct_bind_event ev = {
		.kind = CT_EV_BIND,
		.pid = pid,
		.ts_ns = bpf_ktime_get_ns(),
		.ssl = ssl,
		.conn_id = conn->conn_id,
		.fd = fd,
		.cookie = cookie,
	};
	ct_count(CT_CNT_TLS_BIND, 1);
	ct_output(&ev, sizeof(ev), ct_rb_flags());
}

/*
 * Ties an SSL* to the socket carrying its ciphertext, from the socket syscall that moves it:
 * - inside SSL_read/SSL_write (OpenSSL's socket BIO: curl, python, nginx), the call in progress on
 *   this thread names the SSL*;
 * - right after a successful SSL_write (Node's memory BIOs write the ciphertext once SSL_write has
 *   returned), the note that return left names it, and the first send consumes it.
 * A read outside any SSL call binds nothing: Node reads ciphertext before SSL_read, when nothing yet
 * says which SSL* it is for.
 */
static __always_inline void ct_conn_bind_tls(struct ct_conn *conn, __u64 pid_tgid, __u32 fd, __u8 op)
{
	__u64 ssl = 0;
	__u32 cookie = 0;
	if (conn->ssl && op == CT_OP_RECV)
		return; /* already tied; only sends still matter (they mark the SSL_write as sent) */
	struct ct_tls_args *in_call = bpf_map_lookup_elem(&ct_tls_args, &pid_tgid);
	if (in_call && in_call->op == op) {
		in_call->sock_io = 1;
		ssl = in_call->ssl;
		cookie = in_call->cookie;
	} else if (op == CT_OP_SEND) {
		struct ct_tls_last *last = bpf_map_lookup_elem(&ct_tls_last, &pid_tgid);
		if (!last)
			return;
		struct ct_tls_last l = *last;
		bpf_map_delete_elem(&ct_tls_last, &pid_tgid);
		if (bpf_ktime_get_ns() - l.ts_ns > CT_BIND_WINDOW_NS)
			return;
		ssl = l.ssl;
		cookie = l.cookie;
	}
	if (!ssl || conn->ssl || (conn->sniffed && !conn->tls))
		return;
	conn->tls = 1;
	ct_conn_tie(conn, pid_tgid >> 32, fd, ssl, cookie);
}

/* Bytes needed to recognise a TLS record header; a shorter first read decides nothing. */
#define CT_TLS_SNIFF_LEN 3

#define CT_TLS_HANDSHAKE 22
#define CT_TLS_APP_DATA 23

/* A TLS record header, handshake or application data, version 3.x: its content type, else 0. */
static __always_inline int ct_looks_like_tls(__u64 buf)
{
	__u8 h[3] = {};
	if (bpf_probe_read_user(h, sizeof(h), (void *)buf))
		return 0;
	return (h[0] == CT_TLS_HANDSHAKE || h[0] == CT_TLS_APP_DATA) && h[1] == 3 && h[2] <= 4 ? h[0] : 0;
}
#endif
