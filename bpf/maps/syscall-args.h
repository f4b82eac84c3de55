/* ct_syscall_args: the arguments of a socket read/write/connect in flight, keyed by pid_tgid,
 * written at sys_enter and taken (looked up and deleted) at sys_exit, where the result is known.
 * One entry per thread at most; LRU so a thread killed mid-call cannot leak an entry. */
#ifndef CT_MAP_SYSCALL_ARGS_H
#define CT_MAP_SYSCALL_ARGS_H
/* What a stash is for, beyond the data syscalls' CT_OP_SEND / CT_OP_RECV. */
#define CT_STASH_SENDFILE 2
#define CT_STASH_CONNECT 3
#define CT_STASH_MMSG_SEND 4
#define CT_STASH_MMSG_RECV 5

struct ct_syscall_args {
	__u64 buf;    /* the user buffer, or the iovec array when iovcnt > 0 */
	__u32 fd;
	__u32 iovcnt; /* 0: plain buffer */
	__u8 op;      /* CT_OP_* or CT_STASH_* */
	__u8 pad[7];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct ct_syscall_args);
} ct_syscall_args SEC(".maps");
/* Takes (reads and deletes) this thread's stash; 0 when there is none or it was for another kind
 * of syscall. `data` accepts either data direction. */
static __always_inline int ct_take_syscall_args(__u64 pid_tgid, __u8 kind, int data, struct ct_syscall_args *out)
{
	struct ct_syscall_args *a = bpf_map_lookup_elem(&ct_syscall_args, &pid_tgid);
	if (!a)
		return 0;
	*out = *a;
	bpf_map_delete_elem(&ct_syscall_args, &pid_tgid);
	return data ? out->op <= CT_OP_RECV : out->op == kind;
}
#endif
