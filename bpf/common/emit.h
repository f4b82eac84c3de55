/* Writing records to the ring buffer: adaptive wake-ups and the one payload-splitting loop that
 * every data source shares. */
#ifndef CT_EMIT_H
#define CT_EMIT_H

/* Waking user space per record costs more than the record (kernel-notes.md): only wake once a
 * backlog has built up; the agent's poller drains the ring every few milliseconds anyway. */
static __always_inline __u64 ct_rb_flags(void)
{
	return bpf_ringbuf_query(&ct_events, BPF_RB_AVAIL_DATA) >= ct_wakeup_bytes ? BPF_RB_FORCE_WAKEUP
										: BPF_RB_NO_WAKEUP;
}

static __always_inline void ct_output(void *rec, __u64 size, __u64 flags)
{
	if (bpf_ringbuf_output(&ct_events, rec, size, flags))
		ct_count(CT_CNT_RB_FAIL, 1);
	else
		ct_count(CT_CNT_EVENTS, 1);
}

/* Where the bytes of one call are: a plain buffer (iovcnt == 0) or an iovec array. */
struct ct_payload {
	__u64 buf;
	__u32 iovcnt;
	__u32 len; /* bytes the call moved */
};

/* State of one call's emission, stepped by bpf_loop so the verifier checks one step, not every
 * combination of chunk and iovec counts. */
struct ct_emit_state {
	struct ct_scratch *s;
	__u64 iov;       /* next iovec to read (user address) */
	__u64 base;      /* current segment */
	__u64 left;      /* bytes left in the current segment */
	__u64 stream_off;
	__u64 flags;
	__u32 iov_left;  /* iovecs not read yet */
	__u32 len;       /* bytes to deliver */
	__u32 done;      /* bytes delivered */
	__u32 chunks;    /* records written */
};

static long ct_emit_step(__u32 i, void *arg)
{
	struct ct_emit_state *st = arg;
	if (st->done >= st->len || st->chunks >= ct_max_chunks)
		return 1;
	if (!st->left) {
		struct iovec iov = {};
		if (!st->iov_left || bpf_probe_read_user(&iov, sizeof(iov), (void *)st->iov))
			return 1;
		st->iov += sizeof(iov);
		st->iov_left--;
		st->base = (__u64)iov.iov_base;
		st->left = iov.iov_len;
		return 0;
	}
	struct ct_data_event *ev = (struct ct_data_event *)st->s->raw;
	__u32 n = st->len - st->done;
	if (n > st->left)
		n = st->left;
	if (n > ct_max_chunk)
		n = ct_max_chunk;
	n &= 2 * CT_MAX_CHUNK - 1; /* a bound the verifier can see, then the real clamp */
	if (n > CT_MAX_CHUNK)
		n = CT_MAX_CHUNK;
	if (n == 0)
		return 1;
	if (bpf_probe_read_user(ev->data, n, (void *)st->base)) {
		ct_count(CT_CNT_READ_FAIL, 1);
		return 1;
	}
	ev->len = n;
	ev->offset = st->stream_off + st->done;
	ev->flags = 0;
	ct_output(ev, sizeof(*ev) + n, st->flags);
	st->base += n;
	st->left -= n;
	st->done += n;
	st->chunks++;
	return 0;
}

/*
 * Emits the bytes of one call as records of at most ct_max_chunk bytes, at most ct_max_chunks of
 * them; whatever does not fit becomes one gap record so user space knows exactly what is missing.
 * The caller fills the record header except len/offset/flags; stream_off is the stream offset of
 * the call's first byte.
 */
static __always_inline void ct_emit_payload(struct ct_scratch *s, const struct ct_payload *p,
					    __u64 stream_off)
{
	struct ct_emit_state st = {
		.s = s,
		.stream_off = stream_off,
		.flags = ct_rb_flags(),
		.len = p->len,
	};
	if (p->iovcnt) {
		st.iov = p->buf;
		st.iov_left = p->iovcnt < CT_MAX_IOV ? p->iovcnt : CT_MAX_IOV;
	} else {
		st.base = p->buf;
		st.left = p->len;
	}
	bpf_loop(CT_MAX_CHUNKS_PER_CALL + CT_MAX_IOV, ct_emit_step, &st, 0);
	if (st.done < p->len) {
		struct ct_data_event *ev = (struct ct_data_event *)s->raw;
		ct_count(CT_CNT_CALL_TRUNCATED, 1);
		ct_count(CT_CNT_TRUNC_BYTES, p->len - st.done);
		ev->len = 0;
		ev->offset = stream_off + st.done;
		ev->call_len = p->len - st.done;
		ev->flags = CT_F_GAP;
		ct_output(ev, sizeof(*ev), st.flags);
	}
}
#endif
