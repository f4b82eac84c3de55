/*
 * Go's crypto/tls: uprobes on (*Conn).Write and (*Conn).Read at entry and at each RET instruction of
 * the function (user space finds them by disassembling; see src/capture/tls/go.ts). Go ≥ 1.17 passes
 * arguments and results in registers (amd64: RAX, RBX, RCX, …; the current goroutine in R14):
 *   entry: RAX = *Conn, RBX = b.ptr, RCX = b.len;   RET: RAX = n, RBX = the error's type word.
 *
 * The socket comes from the Conn itself, so no syscall has to be seen inside the call:
 *   tls.Conn.conn (net.Conn interface, at 0: {itab, data}) → *net.TCPConn → conn.fd (*netFD, at 0)
 *   → pfd (poll.FD, at 0) → Sysfd (after the 16-byte fdMutex).
 * These layouts have not changed since Go 1.9; a Conn over something other than a TCP socket yields a
 * number that is not one of this process's sockets, and nothing is tied.
 */
#ifndef CT_TLS_GO_H
#define CT_TLS_GO_H
/* The register names below are x86-64's; on other architectures Go TLS is reported as unsupported. */
#if defined(__TARGET_ARCH_x86)

#define CT_GO_NETFD_SYSFD 16

/* The socket fd under a *tls.Conn, or -1. */
static __always_inline int ct_go_conn_fd(__u64 conn)
{
	__u64 tcp_conn = 0, netfd = 0;
	__s64 fd = -1;
	if (bpf_probe_read_user(&tcp_conn, sizeof(tcp_conn), (void *)(conn + 8)) || !tcp_conn)
		return -1;
	if (bpf_probe_read_user(&netfd, sizeof(netfd), (void *)tcp_conn) || !netfd)
		return -1;
	if (bpf_probe_read_user(&fd, sizeof(fd), (void *)(netfd + CT_GO_NETFD_SYSFD)))
		return -1;
	return fd >= 0 && fd < (1 << 20) ? (int)fd : -1;
}

static __always_inline int ct_go_entry(struct pt_regs *ctx, __u8 op)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 pid = pid_tgid >> 32;
	if (ct_skip_bits(pid) & CT_SKIP_TLS)
		return 0;
	__u64 conn = ctx->ax;
	__u32 cookie = bpf_get_attach_cookie(ctx);
	struct ct_go_call_key key = {.g = ctx->r14, .pid = pid};
	struct ct_go_call call = {.conn = conn, .buf = ctx->bx, .cookie = cookie, .op = op, .ts_ns = bpf_ktime_get_ns()};
	bpf_map_update_elem(&ct_go_calls, &key, &call, BPF_ANY);

	int fd = ct_go_conn_fd(conn);
	if (fd < 0)
		return 0;
	struct ct_conn *c = ct_conn_get(pid, fd);
	if (c && c->ssl != conn && !(c->sniffed && !c->tls))
		/* Not marked TLS here: the ClientHello, sent later by the handshake this call starts, is
		 * what marks it (and gives its server name). */
		ct_conn_tie(c, pid, fd, conn, cookie);
	return 0;
}

SEC("uprobe")
int ct_uprobe_go_write(struct pt_regs *ctx)
{
	return ct_go_entry(ctx, CT_OP_SEND);
}

SEC("uprobe")
int ct_uprobe_go_read(struct pt_regs *ctx)
{
	return ct_go_entry(ctx, CT_OP_RECV);
}

/* At every RET of Read and Write: what the call moved. */
SEC("uprobe")
int ct_uprobe_go_return(struct pt_regs *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct ct_go_call_key key = {.g = ctx->r14, .pid = pid_tgid >> 32};
	struct ct_go_call *c = bpf_map_lookup_elem(&ct_go_calls, &key);
	if (!c) {
		if (!(ct_skip_bits(pid_tgid >> 32) & CT_SKIP_TLS))
			ct_count(CT_CNT_STASH_MISS, 1);
		return 0;
	}
	struct ct_go_call call = *c;
	bpf_map_delete_elem(&ct_go_calls, &key);
	__s64 n = (__s64)ctx->ax;
	if (n <= 0 || n > 0x7fffffff)
		return 0;
	ct_tls_emit(pid_tgid, call.conn, call.op, call.cookie, call.buf, (__u32)n, call.op == CT_OP_SEND ? call.ts_ns : bpf_ktime_get_ns());
	return 0;
}
#endif /* __TARGET_ARCH_x86 */
#endif
