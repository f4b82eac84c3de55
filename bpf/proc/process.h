/* Process lifecycle: exec (path, argv, uid, parent) so that short-lived processes keep their
 * context after they are gone, and exit so user space can finish and forget their connections. */
#ifndef CT_PROC_PROCESS_H
#define CT_PROC_PROCESS_H

SEC("tracepoint/sched/sched_process_exec")
int ct_tp_sched_process_exec(struct trace_event_raw_sched_process_exec *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	if (ct_is_self(pid))
		return 0;
	/* A new image: whether it is ignored is decided again from its exe, by user space. */
	bpf_map_delete_elem(&ct_proc_skip, &pid);
	struct ct_scratch *s = ct_scratch_get();
	if (!s)
		return 0;
	struct ct_exec_event *ev = (struct ct_exec_event *)s->raw;
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();

	ev->kind = CT_EV_EXEC;
	ev->pid = pid;
	ev->ts_ns = bpf_ktime_get_ns();
	ev->ppid = BPF_CORE_READ(task, real_parent, tgid);
	ev->uid = (__u32)bpf_get_current_uid_gid();
	__u32 loc = ctx->__data_loc_filename & 0xFFFF;
	long n = bpf_probe_read_kernel_str(ev->filename, sizeof(ev->filename), (void *)ctx + loc);
	ev->filename_len = n > 0 ? n - 1 : 0;

	__u64 arg_start = BPF_CORE_READ(task, mm, arg_start);
	__u64 arg_end = BPF_CORE_READ(task, mm, arg_end);
	__u64 len = arg_end > arg_start ? arg_end - arg_start : 0;
	if (len > CT_EXEC_ARGS_LEN)
		len = CT_EXEC_ARGS_LEN;
	len &= 2 * CT_EXEC_ARGS_LEN - 1;
	if (len > CT_EXEC_ARGS_LEN)
		len = CT_EXEC_ARGS_LEN;
	if (len && bpf_probe_read_user(ev->args, len, (void *)arg_start))
		len = 0;
	ev->args_len = len;
	/* No forced wake-up: the poller comes by within 10 ms anyway, and an exec storm (a build) would
	 * otherwise cost a thread wake-up per process. */
	ct_output(ev, sizeof(*ev), ct_rb_flags());
	return 0;
}

SEC("tracepoint/sched/sched_process_exit")
int ct_tp_sched_process_exit(void *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 pid = pid_tgid >> 32;
	if (pid != (__u32)pid_tgid || ct_is_self(pid))
		return 0; /* a thread, not the process */
	bpf_map_delete_elem(&ct_proc_skip, &pid);
	struct ct_exit_event ev = {.kind = CT_EV_EXIT, .pid = pid, .ts_ns = bpf_ktime_get_ns()};
	ct_output(&ev, sizeof(ev), ct_rb_flags());
	return 0;
}
/* fork: a child runs its parent's image until it execs, so it inherits its parent's skip bits (an
 * ignored nginx master's workers are ignored too) before it can make a single traced call. Threads
 * share their process's entry and are skipped. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(ct_tp_sched_process_fork, struct task_struct *parent, struct task_struct *child)
{
	if (child->pid != child->tgid)
		return 0;
	__u32 ptgid = parent->tgid;
	__u32 *bits = bpf_map_lookup_elem(&ct_proc_skip, &ptgid);
	if (!bits)
		return 0;
	__u32 ctgid = child->tgid;
	__u32 value = *bits;
	bpf_map_update_elem(&ct_proc_skip, &ctgid, &value, BPF_ANY);
	return 0;
}
#endif
