/* ct_proc_skip: processes the config's tap.filters ignore, keyed by tgid; the value is CT_SKIP_* bits
 * (bpf/shared/wire.h). User space adds a process when it learns its exe (exec event or /proc scan) and
 * deletes it at exit. Checked first in every hook that would stash or copy, so an ignored process
 * costs one lookup per hook hit and nothing more. A plain hash (not LRU): user space owns every entry,
 * and an evicted entry would silently un-ignore a process. */
#ifndef CT_MAP_PROC_SKIP_H
#define CT_MAP_PROC_SKIP_H
#define CT_PROC_SKIP_MAX 32768

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CT_PROC_SKIP_MAX);
	__type(key, __u32);
	__type(value, __u32);
} ct_proc_skip SEC(".maps");

/* The CT_SKIP_* bits that apply to tgid: CT_SKIP_ALL for the agent itself. */
static __always_inline __u32 ct_skip_bits(__u32 tgid)
{
	if (tgid == ct_self_tgid)
		return CT_SKIP_ALL;
	__u32 *bits = bpf_map_lookup_elem(&ct_proc_skip, &tgid);
	return bits ? *bits : 0;
}
#endif
