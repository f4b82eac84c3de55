/* ct_counters: per-CPU drop and activity counters, indexed by CT_CNT_* (wire.h). User space sums
 * the CPUs when it reports; per-CPU so that counting never contends. */
#ifndef CT_MAP_COUNTERS_H
#define CT_MAP_COUNTERS_H
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CT_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} ct_counters SEC(".maps");

static __always_inline void ct_count(__u32 idx, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(&ct_counters, &idx);
	if (v)
		*v += n;
}
#endif
