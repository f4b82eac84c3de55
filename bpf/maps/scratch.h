/* ct_scratch: one per-CPU record buffer, large enough for the biggest record. BPF stacks are 512
 * bytes, so records are assembled here and copied into the ring with bpf_ringbuf_output. */
#ifndef CT_MAP_SCRATCH_H
#define CT_MAP_SCRATCH_H
struct ct_scratch {
	/* a struct ct_data_event immediately followed by its payload, or any smaller record */
	__u8 raw[sizeof(struct ct_data_event) + CT_MAX_CHUNK];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ct_scratch);
} ct_scratch SEC(".maps");

static __always_inline struct ct_scratch *ct_scratch_get(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&ct_scratch, &zero);
}
#endif
