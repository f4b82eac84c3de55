/*
 * OpenSSL-family uprobes (libssl.so.*, and binaries that link OpenSSL statically and export its
 * symbols, such as node). The agent attaches these programs per binary, passing a cookie that
 * names the library. Payloads are emitted by the return probe, the one place that knows how many
 * bytes the call really moved: Node calls SSL_write during the handshake, fails, and retries the
 * same bytes later; non-blocking servers retry after WANT_WRITE. The call in progress, and the last
 * successful SSL_write, name the SSL* for the socket binding (sock/conn.h).
 * BPF_KPROBE/BPF_KRETPROBE give typed arguments to uprobes too (libbpf 1.1 has no BPF_UPROBE).
 *
 * Not covered: applications that reach the TLS record layer through an SSL BIO (BIO_f_ssl), e.g.
 * the server side of `openssl s_server -www`, bypass SSL_read/SSL_write.
 */
#ifndef CT_TLS_OPENSSL_H
#define CT_TLS_OPENSSL_H

/* After a successful SSL_write: its ciphertext may still be on its way to the socket (Node). */
static __always_inline void ct_tls_note(__u64 pid_tgid, __u64 ssl, __u8 op, __u32 cookie)
{
	struct ct_tls_last last = {.ssl = ssl, .ts_ns = bpf_ktime_get_ns(), .cookie = cookie, .op = op};
	bpf_map_update_elem(&ct_tls_last, &pid_tgid, &last, BPF_ANY);
}

/* ts_ns: when the bytes were handed over. A send is stamped at its call's entry, a receive at its return: a
 * reply read by another thread can return before the sender's call does, and the parsers pair a response
 * with the request that started before it. */
static __always_inline void ct_tls_emit(__u64 pid_tgid, __u64 ssl, __u8 op, __u32 cookie, __u64 buf,
					__u32 len, __u64 ts_ns)
{
	struct ct_scratch *s = ct_scratch_get();
	if (!s)
		return;
	struct ct_tls_key key = {.ssl = ssl, .pid = pid_tgid >> 32};
	struct ct_tls_offsets *offs = bpf_map_lookup_elem(&ct_tls_offsets, &key);
	if (!offs) {
		struct ct_tls_offsets zero = {};
		bpf_map_update_elem(&ct_tls_offsets, &key, &zero, BPF_NOEXIST);
		offs = bpf_map_lookup_elem(&ct_tls_offsets, &key);
		if (!offs)
			return;
	}
	op &= 1;
	__u64 off = offs->offset[op];
	offs->offset[op] = off + len;

	struct ct_data_event *ev = (struct ct_data_event *)s->raw;
	ev->kind = CT_EV_DATA;
	ev->source = CT_SRC_TLS;
	ev->op = op;
	ev->pid = pid_tgid >> 32;
	ev->tid = (__u32)pid_tgid;
	ev->ts_ns = ts_ns;
	ev->stream = ssl;
	ev->call_len = len;
	ev->cookie = cookie;
	struct ct_payload p = {.buf = buf, .len = len};
	ct_emit_payload(s, &p, off);
}

/* Entry of SSL_read/SSL_write and their _ex variants: remember the call for the return probe; while
 * it is in progress, it also names the SSL* for a socket syscall made inside it (sock/conn.h). */
static __always_inline int ct_ssl_entry(struct pt_regs *ctx, __u8 op, __u64 ssl, __u64 buf, __u64 nbytes)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	if (ct_skip_bits(pid_tgid >> 32) & CT_SKIP_TLS)
		return 0;
	__u32 cookie = bpf_get_attach_cookie(ctx);
	struct ct_tls_args args = {.ssl = ssl, .buf = buf, .nbytes = nbytes, .cookie = cookie, .op = op, .ts_ns = bpf_ktime_get_ns()};
	bpf_map_update_elem(&ct_tls_args, &pid_tgid, &args, BPF_ANY);
	return 0;
}

SEC("uprobe")
int BPF_KPROBE(ct_uprobe_ssl_write, void *ssl, const void *buf, int num)
{
	return ct_ssl_entry(ctx, CT_OP_SEND, (__u64)ssl, (__u64)buf, 0);
}

SEC("uprobe")
int BPF_KPROBE(ct_uprobe_ssl_write_ex, void *ssl, const void *buf, __u64 num, __u64 *written)
{
	return ct_ssl_entry(ctx, CT_OP_SEND, (__u64)ssl, (__u64)buf, (__u64)written);
}

SEC("uprobe")
int BPF_KPROBE(ct_uprobe_ssl_read, void *ssl, void *buf, int num)
{
	return ct_ssl_entry(ctx, CT_OP_RECV, (__u64)ssl, (__u64)buf, 0);
}

SEC("uprobe")
int BPF_KPROBE(ct_uprobe_ssl_read_ex, void *ssl, void *buf, __u64 num, __u64 *readbytes)
{
	return ct_ssl_entry(ctx, CT_OP_RECV, (__u64)ssl, (__u64)buf, (__u64)readbytes);
}

/* One return probe for all four: SSL_read/SSL_write return the byte count (≤ 0 on failure), the _ex
 * variants return 1 and store the count through their last argument. */
SEC("uretprobe")
int BPF_KRETPROBE(ct_uretprobe_ssl_io, long ret)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct ct_tls_args *a = bpf_map_lookup_elem(&ct_tls_args, &pid_tgid);
	if (!a) {
		if (!(ct_skip_bits(pid_tgid >> 32) & CT_SKIP_TLS))
			ct_count(CT_CNT_STASH_MISS, 1);
		return 0;
	}
	struct ct_tls_args args = *a;
	bpf_map_delete_elem(&ct_tls_args, &pid_tgid);
	__u64 n = 0;
	if (args.nbytes) {
		if ((int)ret != 1 || bpf_probe_read_user(&n, sizeof(n), (void *)args.nbytes))
			return 0;
	} else {
		if ((int)ret <= 0)
			return 0;
		n = (int)ret;
	}
	if (n > 0x7fffffff)
		return 0;
	/* A socket BIO already sent the ciphertext inside the call; only a memory BIO's (Node) is still
	 * to come, and a note left behind would tie this SSL* to the next connection's first send. */
	if (args.op == CT_OP_SEND && !args.sock_io)
		ct_tls_note(pid_tgid, args.ssl, CT_OP_SEND, args.cookie);
	ct_tls_emit(pid_tgid, args.ssl, args.op, args.cookie, args.buf, n, args.op == CT_OP_SEND ? args.ts_ns : bpf_ktime_get_ns());
	return 0;
}
#endif
