/* ct_syscall_args: the arguments of a socket read/write/connect in flight, keyed by pid_tgid,
 * written at sys_enter and taken (looked up and deleted) at sys_exit, where the result is known.
 * One entry per thread at most; LRU so a thread killed mid-call cannot leak an entry. */
#ifndef CT_MAP_SYSCALL_ARGS_H
#define CT_MAP_SYSCALL_ARGS_H
struct ct_syscall_args {
	__u64 buf;    /* the user buffer, or the iovec array when iovcnt > 0 */
	__u32 fd;
	__u32 iovcnt; /* 0: plain buffer */
	__u8 op;      /* CT_OP_* */
	__u8 pad[7];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct ct_syscall_args);
} ct_syscall_args SEC(".maps");
#endif
