/* ct_events: every record for user space (wire.h). Its size is set at load by the agent
 * (--ring-mb); records are written with bpf_ringbuf_output from a per-CPU scratch buffer. */
#ifndef CT_MAP_EVENTS_H
#define CT_MAP_EVENTS_H
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 32 * 1024 * 1024);
} ct_events SEC(".maps");
#endif
