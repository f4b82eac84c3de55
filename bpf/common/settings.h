/* Static settings: const volatile rodata the agent sets between open and load, so the verifier
 * sees constants and prunes what is switched off. */
#ifndef CT_SETTINGS_H
#define CT_SETTINGS_H
const volatile __u32 ct_self_tgid = 0;              /* the agent itself: never traced */
const volatile __u64 ct_wakeup_bytes = 256 * 1024;  /* wake user space only past this backlog */
const volatile __u8 ct_plaintext_sockets = 1;       /* emit payloads of non-TLS sockets */

/* Dynamic settings: plain globals (.data, memory-mapped by the agent), so a config reload can change
 * how much of each call is copied (bodies or heads only) without reloading the programs. Every use is
 * clamped to the compile-time maximum, so the verifier never depends on their values. */
volatile __u32 ct_max_chunk = CT_MAX_CHUNK;            /* payload bytes per record (≤ CT_MAX_CHUNK) */
volatile __u32 ct_max_chunks = CT_MAX_CHUNKS_PER_CALL; /* records per call before a gap */

static __always_inline int ct_is_self(__u32 tgid)
{
	return tgid == ct_self_tgid;
}
#endif
