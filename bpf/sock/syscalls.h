/*
 * Syscall tracepoints: connection set-up (connect, accept), payloads of plaintext sockets
 * (read/write, recvfrom/sendto, readv/writev, recvmsg/sendmsg), sendfile as a gap, and close.
 * Arguments are stashed at sys_enter and the payload emitted at sys_exit, where the byte count is
 * known. Sockets carrying TLS are marked and emit nothing: their plaintext comes from the TLS probes.
 */
#ifndef CT_SOCK_SYSCALLS_H
#define CT_SOCK_SYSCALLS_H

static __always_inline int ct_sys_enter_data(__u32 fd, __u64 buf, __u32 iovcnt, __u8 op)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 pid = pid_tgid >> 32;
	__u32 skip = ct_skip_bits(pid);
	if (skip == CT_SKIP_ALL)
		return 0;
	struct ct_conn *conn = ct_conn_get(pid, fd);
	if (!conn)
		return 0;
	ct_conn_bind_tls(conn, pid_tgid, fd, op);
	if (conn->tls || !ct_plaintext_sockets || (skip & CT_SKIP_DATA))
		return 0;
	struct ct_syscall_args args = {.buf = buf, .fd = fd, .iovcnt = iovcnt, .op = op};
	bpf_map_update_elem(&ct_syscall_args, &pid_tgid, &args, BPF_ANY);
	return 0;
}

static __always_inline __u64 ct_first_segment(const struct ct_syscall_args *a)
{
	if (!a->iovcnt)
		return a->buf;
	struct iovec iov = {};
	bpf_probe_read_user(&iov, sizeof(iov), (void *)a->buf);
	return (__u64)iov.iov_base;
}

/* One record (or several chunks) of what a socket call moved: the payload is at buf (an iovec array
 * when iovcnt > 0). Plaintext and datagram bytes advance the socket's stream offset; a ClientHello does
 * not (it is ciphertext, passed up once for its server name). */
static __always_inline void ct_emit_socket_data(struct ct_conn *conn, __u64 pid_tgid, __u32 fd, __u8 op, __u8 source,
						__u64 buf, __u32 iovcnt, __u32 len)
{
	struct ct_scratch *s = ct_scratch_get();
	if (!s)
		return;
	struct ct_data_event *ev = (struct ct_data_event *)s->raw;
	ev->kind = CT_EV_DATA;
	ev->source = source;
	ev->op = op;
	ev->pid = pid_tgid >> 32;
	ev->tid = (__u32)pid_tgid;
	ev->ts_ns = bpf_ktime_get_ns();
	ev->stream = conn->conn_id;
	ev->call_len = len;
	ev->cookie = fd;
	__u64 off = 0;
	if (source != CT_SRC_TLS_HELLO) {
		off = conn->offset[op & 1];
		conn->offset[op & 1] = off + len;
	}
	struct ct_payload p = {.buf = buf, .iovcnt = iovcnt, .len = len};
	ct_emit_payload(s, &p, off);
}

static __always_inline int ct_sys_exit_data(long ret)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct ct_syscall_args args;
	if (!ct_take_syscall_args(pid_tgid, 0, 1, &args) || ret <= 0)
		return 0;

	__u32 pid = pid_tgid >> 32;
	struct ct_conn_key key = {.pid = pid, .fd = args.fd};
	struct ct_conn *conn = bpf_map_lookup_elem(&ct_conns, &key);
	if (!conn || conn->tls)
		return 0;
	__u8 op = args.op & 1;
	__u8 source = conn->dgram ? CT_SRC_DGRAM : CT_SRC_SYSCALL;
	__u32 len = ret;
	if (!conn->sniffed && ret >= CT_TLS_SNIFF_LEN) {
		conn->sniffed = 1;
		int tls = ct_looks_like_tls(ct_first_segment(&args));
		if (tls) {
			conn->tls = 1;
			/* A handshake record first is the ClientHello (sent by a client, read by a server):
			 * passed up once per TLS connection for its server name. Nothing else of it is. */
			if (tls != CT_TLS_HANDSHAKE)
				return 0;
			source = CT_SRC_TLS_HELLO;
			len = ret < CT_HELLO_MAX ? ret : CT_HELLO_MAX;
		}
	}
	ct_emit_socket_data(conn, pid_tgid, args.fd, op, source, args.buf, args.iovcnt, len);
	return 0;
}

#define CT_ARG(ctx, i) ((ctx)->args[i])

SEC("tracepoint/syscalls/sys_enter_read")
int ct_tp_enter_read(struct trace_event_raw_sys_enter *ctx)
{
	return ct_sys_enter_data(CT_ARG(ctx, 0), CT_ARG(ctx, 1), 0, CT_OP_RECV);
}

/* MSG_PEEK leaves the bytes in the socket for the next read (nginx peeks 1 byte to tell TLS from
 * plaintext): taking them here would deliver them twice. */
#define CT_MSG_PEEK 2

SEC("tracepoint/syscalls/sys_enter_recvfrom")
int ct_tp_enter_recvfrom(struct trace_event_raw_sys_enter *ctx)
{
	if (CT_ARG(ctx, 3) & CT_MSG_PEEK)
		return 0;
	return ct_sys_enter_data(CT_ARG(ctx, 0), CT_ARG(ctx, 1), 0, CT_OP_RECV);
}

SEC("tracepoint/syscalls/sys_enter_readv")
int ct_tp_enter_readv(struct trace_event_raw_sys_enter *ctx)
{
	return ct_sys_enter_data(CT_ARG(ctx, 0), CT_ARG(ctx, 1), CT_ARG(ctx, 2), CT_OP_RECV);
}

SEC("tracepoint/syscalls/sys_enter_write")
int ct_tp_enter_write(struct trace_event_raw_sys_enter *ctx)
{
	return ct_sys_enter_data(CT_ARG(ctx, 0), CT_ARG(ctx, 1), 0, CT_OP_SEND);
}

SEC("tracepoint/syscalls/sys_enter_sendto")
int ct_tp_enter_sendto(struct trace_event_raw_sys_enter *ctx)
{
	return ct_sys_enter_data(CT_ARG(ctx, 0), CT_ARG(ctx, 1), 0, CT_OP_SEND);
}

SEC("tracepoint/syscalls/sys_enter_writev")
int ct_tp_enter_writev(struct trace_event_raw_sys_enter *ctx)
{
	return ct_sys_enter_data(CT_ARG(ctx, 0), CT_ARG(ctx, 1), CT_ARG(ctx, 2), CT_OP_SEND);
}

/* msghdr → iovec: the payload lives in msg_iov[0..msg_iovlen). */
static __always_inline int ct_sys_enter_msg(__u32 fd, __u64 umsg, __u8 op)
{
	struct user_msghdr msg = {};
	if (bpf_probe_read_user(&msg, sizeof(msg), (void *)umsg))
		return 0;
	if (!msg.msg_iov || !msg.msg_iovlen)
		return 0;
	return ct_sys_enter_data(fd, (__u64)msg.msg_iov, msg.msg_iovlen, op);
}

SEC("tracepoint/syscalls/sys_enter_recvmsg")
int ct_tp_enter_recvmsg(struct trace_event_raw_sys_enter *ctx)
{
	if (CT_ARG(ctx, 2) & CT_MSG_PEEK)
		return 0;
	return ct_sys_enter_msg(CT_ARG(ctx, 0), CT_ARG(ctx, 1), CT_OP_RECV);
}

SEC("tracepoint/syscalls/sys_enter_sendmsg")
int ct_tp_enter_sendmsg(struct trace_event_raw_sys_enter *ctx)
{
	return ct_sys_enter_msg(CT_ARG(ctx, 0), CT_ARG(ctx, 1), CT_OP_SEND);
}

/* Every data syscall ends the same way: emit what the stash at its entry said, now that the byte
 * count is known. */
#define CT_SYS_EXIT_DATA(name)                                                                     \
	SEC("tracepoint/syscalls/sys_exit_" #name)                                                 \
	int ct_tp_exit_##name(struct trace_event_raw_sys_exit *ctx)                                \
	{                                                                                          \
		return ct_sys_exit_data(ctx->ret);                                                 \
	}

CT_SYS_EXIT_DATA(read)
CT_SYS_EXIT_DATA(recvfrom)
CT_SYS_EXIT_DATA(readv)
CT_SYS_EXIT_DATA(recvmsg)
CT_SYS_EXIT_DATA(write)
CT_SYS_EXIT_DATA(sendto)
CT_SYS_EXIT_DATA(writev)
CT_SYS_EXIT_DATA(sendmsg)

/* sendmmsg/recvmmsg: resolvers send a lookup's A and AAAA queries in one sendmmsg (glibc, libuv). Only
 * DNS sockets are followed through them, and only the first CT_MMSG_MAX messages of a call (counted
 * beyond). struct mmsghdr is a msghdr and the byte count of that message. */
#define CT_MMSG_MAX 2
#define CT_MMSG_SIZE 64
#define CT_MMSG_LEN_OFF 56

static __always_inline int ct_sys_enter_mmsg(__u32 fd, __u64 vec, __u8 op)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 pid = pid_tgid >> 32;
	if (ct_skip_bits(pid) & CT_SKIP_DATA)
		return 0;
	struct ct_conn_key key = {.pid = pid, .fd = fd};
	struct ct_conn *conn = bpf_map_lookup_elem(&ct_conns, &key);
	if (!conn || !conn->dgram)
		return 0;
	struct ct_syscall_args args = {.buf = vec, .fd = fd, .op = op == CT_OP_SEND ? CT_STASH_MMSG_SEND : CT_STASH_MMSG_RECV};
	bpf_map_update_elem(&ct_syscall_args, &pid_tgid, &args, BPF_ANY);
	return 0;
}

static __always_inline int ct_sys_exit_mmsg(long ret, __u8 kind)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct ct_syscall_args args;
	if (!ct_take_syscall_args(pid_tgid, kind, 0, &args) || ret <= 0)
		return 0;
	struct ct_conn_key key = {.pid = pid_tgid >> 32, .fd = args.fd};
	struct ct_conn *conn = bpf_map_lookup_elem(&ct_conns, &key);
	if (!conn)
		return 0;
	__u8 op = kind == CT_STASH_MMSG_SEND ? CT_OP_SEND : CT_OP_RECV;
	if (ret > CT_MMSG_MAX)
		ct_count(CT_CNT_MMSG_SKIPPED, ret - CT_MMSG_MAX);
	for (int i = 0; i < CT_MMSG_MAX; i++) {
		if (i >= ret)
			break;
		__u64 m = args.buf + i * CT_MMSG_SIZE;
		struct user_msghdr msg = {};
		__u32 len = 0;
		if (bpf_probe_read_user(&msg, sizeof(msg), (void *)m) || bpf_probe_read_user(&len, sizeof(len), (void *)(m + CT_MMSG_LEN_OFF)))
			break;
		if (!msg.msg_iov || !msg.msg_iovlen || !len)
			continue;
		ct_emit_socket_data(conn, pid_tgid, args.fd, op, CT_SRC_DGRAM, (__u64)msg.msg_iov, msg.msg_iovlen, len);
	}
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_sendmmsg")
int ct_tp_enter_sendmmsg(struct trace_event_raw_sys_enter *ctx)
{
	return ct_sys_enter_mmsg(CT_ARG(ctx, 0), CT_ARG(ctx, 1), CT_OP_SEND);
}

SEC("tracepoint/syscalls/sys_exit_sendmmsg")
int ct_tp_exit_sendmmsg(struct trace_event_raw_sys_exit *ctx)
{
	return ct_sys_exit_mmsg(ctx->ret, CT_STASH_MMSG_SEND);
}

SEC("tracepoint/syscalls/sys_enter_recvmmsg")
int ct_tp_enter_recvmmsg(struct trace_event_raw_sys_enter *ctx)
{
	return ct_sys_enter_mmsg(CT_ARG(ctx, 0), CT_ARG(ctx, 1), CT_OP_RECV);
}

SEC("tracepoint/syscalls/sys_exit_recvmmsg")
int ct_tp_exit_recvmmsg(struct trace_event_raw_sys_exit *ctx)
{
	return ct_sys_exit_mmsg(ctx->ret, CT_STASH_MMSG_RECV);
}

/* sendfile moves file bytes the process never holds in a buffer: report them as a gap so that
 * HTTP framing (Content-Length) stays in step, e.g. nginx serving static files. */
SEC("tracepoint/syscalls/sys_enter_sendfile64")
int ct_tp_enter_sendfile(struct trace_event_raw_sys_enter *ctx)
{
	return ct_sys_enter_data(CT_ARG(ctx, 0), 0, 0, CT_STASH_SENDFILE);
}

SEC("tracepoint/syscalls/sys_exit_sendfile64")
int ct_tp_exit_sendfile(struct trace_event_raw_sys_exit *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct ct_syscall_args args;
	long ret = ctx->ret;
	if (!ct_take_syscall_args(pid_tgid, CT_STASH_SENDFILE, 0, &args) || ret <= 0)
		return 0;
	__u32 fd = args.fd;
	struct ct_conn_key key = {.pid = pid_tgid >> 32, .fd = fd};
	struct ct_conn *conn = bpf_map_lookup_elem(&ct_conns, &key);
	if (!conn || conn->tls)
		return 0;
	conn->sniffed = 1;
	struct ct_data_event ev = {
		.kind = CT_EV_DATA,
		.source = CT_SRC_SYSCALL,
		.op = CT_OP_SEND,
		.flags = CT_F_GAP,
		.pid = key.pid,
		.tid = (__u32)pid_tgid,
		.ts_ns = bpf_ktime_get_ns(),
		.stream = conn->conn_id,
		.offset = conn->offset[CT_OP_SEND],
		.call_len = ret,
		.cookie = fd,
	};
	conn->offset[CT_OP_SEND] += ret;
	ct_output(&ev, sizeof(ev), ct_rb_flags());
	return 0;
}

/* connect: egress. The address is assigned by the time connect returns (also -EINPROGRESS). */
SEC("tracepoint/syscalls/sys_enter_connect")
int ct_tp_enter_connect(struct trace_event_raw_sys_enter *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	if (ct_skip_bits(pid_tgid >> 32) == CT_SKIP_ALL)
		return 0;
	struct ct_syscall_args args = {.fd = CT_ARG(ctx, 0), .op = CT_STASH_CONNECT};
	bpf_map_update_elem(&ct_syscall_args, &pid_tgid, &args, BPF_ANY);
	return 0;
}

#define CT_EINPROGRESS 115

SEC("tracepoint/syscalls/sys_exit_connect")
int ct_tp_exit_connect(struct trace_event_raw_sys_exit *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct ct_syscall_args args;
	if (!ct_take_syscall_args(pid_tgid, CT_STASH_CONNECT, 0, &args))
		return 0;
	if (ctx->ret != 0 && ctx->ret != -CT_EINPROGRESS)
		return 0;
	ct_conn_track(pid_tgid >> 32, args.fd, CT_DIR_EGRESS);
	return 0;
}

static __always_inline int ct_sys_exit_accept(long ret)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	if (ret < 0 || ct_skip_bits(pid) == CT_SKIP_ALL)
		return 0;
	ct_conn_track(pid, ret, CT_DIR_INGRESS);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_accept")
int ct_tp_exit_accept(struct trace_event_raw_sys_exit *ctx) { return ct_sys_exit_accept(ctx->ret); }
SEC("tracepoint/syscalls/sys_exit_accept4")
int ct_tp_exit_accept4(struct trace_event_raw_sys_exit *ctx) { return ct_sys_exit_accept(ctx->ret); }

SEC("tracepoint/syscalls/sys_enter_close")
int ct_tp_enter_close(struct trace_event_raw_sys_enter *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	struct ct_conn_key key = {.pid = pid, .fd = CT_ARG(ctx, 0)};
	struct ct_conn *conn = bpf_map_lookup_elem(&ct_conns, &key);
	if (!conn)
		return 0;
	struct ct_close_event ev = {
		.kind = CT_EV_CLOSE,
		.pid = pid,
		.ts_ns = bpf_ktime_get_ns(),
		.conn_id = conn->conn_id,
		.ssl = conn->ssl,
		.fd = key.fd,
		.sent = conn->offset[CT_OP_SEND],
		.received = conn->offset[CT_OP_RECV],
	};
	bpf_map_delete_elem(&ct_conns, &key);
	ct_output(&ev, sizeof(ev), ct_rb_flags());
	return 0;
}
#endif
