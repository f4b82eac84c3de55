// SPDX-License-Identifier: Apache-2.0
/*
 * cleartap's native addon: opens, loads and attaches the BPF skeleton, and drains the ring buffer on
 * its own thread into batches that JavaScript receives as one ArrayBuffer each (no JS call per
 * record). No parsing happens here: the records are copied as they are, framed by their length.
 *
 * Batch layout: repeated [u32 length][u32 reserved][record bytes, padded to 8].
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <malloc.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/types.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <node_api.h>
#include "napi-support.h"

#include "shared/wire.h"
#include "cleartap.skel.h"

/* The key of the ct_conns map (bpf/maps/conns.h). */
struct ct_conn_key {
	__u32 pid;
	__u32 fd;
};

#define BATCH_CAPACITY (1u << 20)
#define BATCH_QUEUE 16 /* batches waiting for JS: at most 16 MiB; beyond, the ring buffer holds the rest */
#define LOG_CAPACITY 16384
/* Not in bookworm's linux/bpf.h (Linux 6.1); values from Linux 6.6's. */
#define CT_BPF_TRACE_UPROBE_MULTI 48
#define CT_BPF_F_UPROBE_MULTI_RETURN 1
#define POLL_TIMEOUT_MS 10

struct batch {
	uint8_t *data;
	size_t len;
	uint32_t records;
};

struct handle {
	struct cleartap_bpf *skel;
	struct ring_buffer *rb;
	struct bpf_link **links;
	size_t nlinks;
	/* uprobe_multi links (raw fds: libbpf 1.1 predates them); one per (program, binary). */
	int *multi_fds;
	size_t nmulti;
	pthread_t thread;
	atomic_bool running;
	bool started;
	napi_threadsafe_function tsfn;
	struct batch *cur;
	atomic_uint_fast64_t batches_dropped; /* batches lost because JS was stopping */
};

/* libbpf's messages, kept so that a failure can be reported with its cause. */
static char log_buf[LOG_CAPACITY];
static size_t log_len;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static int on_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	char line[1024];
	int n = vsnprintf(line, sizeof(line), fmt, args);
	if (n <= 0)
		return 0;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	pthread_mutex_lock(&log_lock);
	if (log_len + n >= LOG_CAPACITY) {
		size_t keep = LOG_CAPACITY / 2;
		memmove(log_buf, log_buf + log_len - keep, keep);
		log_len = keep;
	}
	memcpy(log_buf + log_len, line, n);
	log_len += n;
	log_buf[log_len] = 0;
	pthread_mutex_unlock(&log_lock);
	return 0;
}

static void log_clear(void)
{
	pthread_mutex_lock(&log_lock);
	log_len = 0;
	log_buf[0] = 0;
	pthread_mutex_unlock(&log_lock);
}

/* Throws an Error with a stable code, the errno text and libbpf's last messages. */
static napi_value throw_error(napi_env env, const char *code, const char *what, int err)
{
	char detail[LOG_CAPACITY + 16];
	pthread_mutex_lock(&log_lock);
	snprintf(detail, sizeof(detail), "%s%s", log_len ? "\nlibbpf: " : "", log_buf);
	pthread_mutex_unlock(&log_lock);
	return ct_throw(env, code, what, err, detail);
}

/* Reads a call's n arguments, the first of which must be a handle; NULL with a pending exception
 * otherwise. */
static struct handle *handle_args(napi_env env, napi_callback_info info, size_t n, napi_value *argv)
{
	return ct_handle_args(env, info, n, argv, "expected a cleartap handle and its arguments");
}

static bool get_string(napi_env env, napi_value v, char *buf, size_t cap)
{
	size_t n = 0;
	return napi_get_value_string_utf8(env, v, buf, cap, &n) == napi_ok && n < cap - 1;
}

/* Detaching takes 70–110 ms a perf-event link here (the kernel waits for a grace period under a global
 * lock, so doing it from several threads gains nothing); an uprobe_multi link pays that once for all
 * its probes, which is why uprobes are attached that way where the kernel can. */
static void handle_free(struct handle *h)
{
	for (size_t i = 0; i < h->nmulti; i++)
		close(h->multi_fds[i]);
	free(h->multi_fds);
	h->multi_fds = NULL;
	h->nmulti = 0;
	for (size_t i = 0; i < h->nlinks; i++)
		if (h->links[i])
			bpf_link__destroy(h->links[i]);
	free(h->links);
	h->links = NULL;
	h->nlinks = 0;
	if (h->rb)
		ring_buffer__free(h->rb);
	h->rb = NULL;
	if (h->skel)
		cleartap_bpf__destroy(h->skel);
	h->skel = NULL;
	if (h->cur) {
		free(h->cur->data);
		free(h->cur);
		h->cur = NULL;
	}
}

/* Opens the skeleton, applies the settings and loads it; 0 or a negative errno. */
static int open_and_load(napi_env env, napi_value opts, struct handle *h)
{
	if (h->skel)
		cleartap_bpf__destroy(h->skel);
	h->skel = cleartap_bpf__open();
	if (!h->skel)
		return -errno;
	struct cleartap_bpf__rodata *ro = h->skel->rodata;
	ro->ct_self_tgid = ct_get_u32(env, opts, "selfTgid", getpid());
	h->skel->data->ct_max_chunk = ct_get_u32(env, opts, "maxChunk", 16384);
	h->skel->data->ct_max_chunks = ct_get_u32(env, opts, "maxChunks", 8);
	ro->ct_wakeup_bytes = ct_get_u32(env, opts, "wakeupBytes", 256 * 1024);
	ro->ct_plaintext_sockets = ct_get_u32(env, opts, "plaintextSockets", 1) ? 1 : 0;
	int err = bpf_map__set_max_entries(h->skel->maps.ct_events, ct_get_u32(env, opts, "ringBytes", 32u << 20));
	if (err)
		return err;

	bool has = false;
	napi_value list;
	if (napi_has_named_property(env, opts, "disable", &has) == napi_ok && has &&
	    napi_get_named_property(env, opts, "disable", &list) == napi_ok) {
		uint32_t n = 0;
		napi_get_array_length(env, list, &n);
		for (uint32_t i = 0; i < n; i++) {
			napi_value item;
			char name[128];
			if (napi_get_element(env, list, i, &item) != napi_ok || !get_string(env, item, name, sizeof(name)))
				continue;
			struct bpf_program *p = bpf_object__find_program_by_name(h->skel->obj, name);
			if (p)
				bpf_program__set_autoload(p, false);
		}
	}
	/* uprobe_multi (Linux 6.6+): the uprobe programs must be loaded for it, and are then attached only
	 * that way (attachUprobeMulti). */
	if (ct_get_u32(env, opts, "uprobeMulti", 0)) {
		struct bpf_program *p;
		bpf_object__for_each_program(p, h->skel->obj) {
			const char *sec = bpf_program__section_name(p);
			if (!strncmp(sec, "uprobe", 6) || !strncmp(sec, "uretprobe", 9))
				bpf_program__set_expected_attach_type(p, CT_BPF_TRACE_UPROBE_MULTI);
		}
	}
	return cleartap_bpf__load(h->skel);
}

/* open({ selfTgid, maxChunk, maxChunks, ringBytes, wakeupBytes, plaintextSockets, disable: [prog names] }) */
static napi_value js_open(napi_env env, napi_callback_info info)
{
	size_t argc = 1;
	napi_value argv[1];
	NAPI_OK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	if (argc < 1) {
		napi_throw_type_error(env, "CT_ERR_NATIVE", "open(options) needs options");
		return NULL;
	}
	libbpf_set_print(on_libbpf_print);
	log_clear();
	/* Kernels before 5.11 charge BPF memory to RLIMIT_MEMLOCK; newer ones to the memory cgroup, and
	 * raising the limit may be refused (no CAP_SYS_RESOURCE): try, and let the load say if it mattered. */
	struct rlimit unlimited = {RLIM_INFINITY, RLIM_INFINITY};
	setrlimit(RLIMIT_MEMLOCK, &unlimited);

	struct handle *h = calloc(1, sizeof(*h));
	if (!h)
		return throw_error(env, "CT_ERR_NATIVE", "out of memory", ENOMEM);
	/* The verifier gives up with EAGAIN when a signal arrives mid-check (a profiler's SIGPROF, a
	 * child's SIGCHLD): hold signals back while loading (they are delivered right after), and should
	 * one still get through, open afresh — a failed object cannot be loaded again. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int err = 0;
	for (int attempt = 0; attempt < 4; attempt++) {
		err = open_and_load(env, argv[0], h);
		if (err != -EAGAIN && err != -EINTR)
			break;
		log_clear();
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	/* libbpf parsed the kernel's BTF (megabytes) for the CO-RE relocations; give that memory back. */
	malloc_trim(0);
	if (err) {
		handle_free(h);
		free(h);
		return throw_error(env, "CT_ERR_BPF_LOAD", "loading the BPF programs failed", err);
	}
	napi_value out;
	NAPI_OK(napi_create_external(env, h, NULL, NULL, &out));
	return out;
}

/* BPF_LINK_CREATE for an uprobe_multi link, spelled out: libbpf 1.1 has no wrapper for it. The layout
 * is union bpf_attr's link_create with its uprobe_multi member (include/uapi/linux/bpf.h). */
struct ct_uprobe_multi_attr {
	__u32 prog_fd;
	__u32 target_fd;
	__u32 attach_type;
	__u32 flags;
	__u64 path;
	__u64 offsets;
	__u64 ref_ctr_offsets;
	__u64 cookies;
	__u32 cnt;
	__u32 multi_flags;
	__u32 pid;
	__u32 pad;
};

static int uprobe_multi_link(int prog_fd, const char *path, const __u64 *offsets, const __u64 *cookies, __u32 cnt, bool ret)
{
	struct ct_uprobe_multi_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.prog_fd = prog_fd;
	attr.attach_type = CT_BPF_TRACE_UPROBE_MULTI;
	attr.path = (__u64)(uintptr_t)path;
	attr.offsets = (__u64)(uintptr_t)offsets;
	attr.cookies = (__u64)(uintptr_t)cookies;
	attr.cnt = cnt;
	attr.multi_flags = ret ? CT_BPF_F_UPROBE_MULTI_RETURN : 0;
	return syscall(__NR_bpf, BPF_LINK_CREATE, &attr, sizeof(attr));
}

/* attachUprobeMulti(handle, progName, binaryPath, fileOffsets[], retprobe, cookie): one link for every
 * offset, all with the same cookie. */
static napi_value js_attach_uprobe_multi(napi_env env, napi_callback_info info)
{
	napi_value argv[6];
	struct handle *h = handle_args(env, info, 6, argv);
	if (!h)
		return NULL;
	char prog_name[128], path[4096];
	bool retprobe = false;
	uint32_t cookie = 0, cnt = 0;
	if (!get_string(env, argv[1], prog_name, sizeof(prog_name)) || !get_string(env, argv[2], path, sizeof(path)) ||
	    napi_get_array_length(env, argv[3], &cnt) != napi_ok || cnt == 0 || cnt > 4096) {
		napi_throw_type_error(env, "CT_ERR_NATIVE", "attachUprobeMulti: bad arguments");
		return NULL;
	}
	napi_get_value_bool(env, argv[4], &retprobe);
	napi_get_value_uint32(env, argv[5], &cookie);
	struct bpf_program *prog = bpf_object__find_program_by_name(h->skel->obj, prog_name);
	if (!prog)
		return throw_error(env, "CT_ERR_ATTACH", "no such BPF program", ENOENT);
	__u64 *offsets = calloc(cnt, sizeof(__u64)), *cookies = calloc(cnt, sizeof(__u64));
	int *grown = realloc(h->multi_fds, (h->nmulti + 1) * sizeof(int));
	if (grown)
		h->multi_fds = grown;
	if (!offsets || !cookies || !grown) {
		free(offsets);
		free(cookies);
		return throw_error(env, "CT_ERR_NATIVE", "out of memory", ENOMEM);
	}
	for (uint32_t i = 0; i < cnt; i++) {
		napi_value v;
		int64_t off = -1;
		if (napi_get_element(env, argv[3], i, &v) == napi_ok)
			napi_get_value_int64(env, v, &off);
		offsets[i] = off < 0 ? 0 : (__u64)off;
		cookies[i] = cookie;
	}
	int fd = uprobe_multi_link(bpf_program__fd(prog), path, offsets, cookies, cnt, retprobe);
	int err = errno;
	free(offsets);
	free(cookies);
	if (fd < 0) {
		char what[4400];
		snprintf(what, sizeof(what), "attaching %s to %u place(s) in %s failed", prog_name, cnt, path);
		return throw_error(env, "CT_ERR_ATTACH", what, err);
	}
	h->multi_fds[h->nmulti++] = fd;
	napi_value out;
	NAPI_OK(napi_create_uint32(env, fd, &out));
	return out;
}

static bool add_link(struct handle *h, struct bpf_link *link, size_t *id)
{
	struct bpf_link **grown = realloc(h->links, (h->nlinks + 1) * sizeof(*grown));
	if (!grown)
		return false;
	h->links = grown;
	h->links[h->nlinks] = link;
	*id = h->nlinks++;
	return true;
}

/* Whether the tracepoint ("category/name") is in the list of names (a JS array of strings). */
static bool in_names(napi_env env, napi_value names, const char *tp)
{
	uint32_t n = 0;
	if (napi_get_array_length(env, names, &n) != napi_ok)
		return false;
	for (uint32_t i = 0; i < n; i++) {
		napi_value v;
		char name[256];
		if (napi_get_element(env, names, i, &v) == napi_ok && get_string(env, v, name, sizeof(name)) && strcmp(name, tp) == 0)
			return true;
	}
	return false;
}

static napi_value skipped_entry(napi_env env, const char *prog, const char *tp, int err)
{
	napi_value o, v;
	NAPI_OK(napi_create_object(env, &o));
	NAPI_OK(napi_create_string_utf8(env, prog, NAPI_AUTO_LENGTH, &v));
	NAPI_OK(napi_set_named_property(env, o, "prog", v));
	NAPI_OK(napi_create_string_utf8(env, tp, NAPI_AUTO_LENGTH, &v));
	NAPI_OK(napi_set_named_property(env, o, "tracepoint", v));
	NAPI_OK(napi_create_int32(env, err, &v));
	NAPI_OK(napi_set_named_property(env, o, "errno", v));
	return o;
}

/* attachTracepoints(handle, fakeAbsent[]) → [{prog, tracepoint, errno}]: every tracepoint and tp_btf
 * program (uprobes are attached one by one). A tracepoint this kernel does not have (ENOENT: no
 * events/<category>/<name> in tracefs, e.g. a syscall another architecture lacks) is skipped and returned;
 * any other failure throws. The tracepoints named in fakeAbsent are attached under a name no kernel has,
 * so that tests take the same path through libbpf as a real absence. */
static napi_value js_attach_tracepoints(napi_env env, napi_callback_info info)
{
	napi_value argv[2];
	struct handle *h = handle_args(env, info, 2, argv);
	if (!h)
		return NULL;
	bool fakes = false;
	napi_is_array(env, argv[1], &fakes);
	napi_value skipped;
	NAPI_OK(napi_create_array(env, &skipped));
	uint32_t nskipped = 0;
	log_clear();
	struct bpf_program *prog;
	bpf_object__for_each_program(prog, h->skel->obj)
	{
		const char *sec = bpf_program__section_name(prog);
		bool tracepoint = strncmp(sec, "tracepoint/", 11) == 0;
		if (!bpf_program__autoload(prog) || (!tracepoint && strncmp(sec, "tp_btf/", 7) != 0))
			continue;
		struct bpf_link *link;
		const char *tp = sec + 11, *slash = strchr(tp, '/');
		if (tracepoint && slash && fakes && in_names(env, argv[1], tp)) {
			char category[128], name[160];
			snprintf(category, sizeof(category), "%.*s", (int)(slash - tp), tp);
			snprintf(name, sizeof(name), "%s__absent", slash + 1);
			link = bpf_program__attach_tracepoint(prog, category, name);
		} else {
			link = bpf_program__attach(prog);
		}
		if (!link) {
			int err = errno;
			if (tracepoint && err == ENOENT) {
				NAPI_OK(napi_set_element(env, skipped, nskipped++, skipped_entry(env, bpf_program__name(prog), tp, err)));
				continue;
			}
			char what[256];
			snprintf(what, sizeof(what), "attaching %s (%s) failed", bpf_program__name(prog), sec);
			return throw_error(env, "CT_ERR_ATTACH", what, err);
		}
		size_t id;
		if (!add_link(h, link, &id)) {
			bpf_link__destroy(link);
			return throw_error(env, "CT_ERR_NATIVE", "out of memory", ENOMEM);
		}
	}
	return skipped;
}

/* attachUprobe(handle, progName, binaryPath, funcName, retprobe, pid, cookie, fileOffset) → link id.
 * With funcName "" the probe goes at fileOffset (an instruction inside a function: Go's RETs). */
static napi_value js_attach_uprobe(napi_env env, napi_callback_info info)
{
	napi_value argv[8];
	struct handle *h = handle_args(env, info, 8, argv);
	if (!h)
		return NULL;
	char prog_name[128], path[4096], func[256];
	bool retprobe = false;
	int32_t pid = -1;
	uint32_t cookie = 0;
	if (!get_string(env, argv[1], prog_name, sizeof(prog_name)) || !get_string(env, argv[2], path, sizeof(path)) ||
	    !get_string(env, argv[3], func, sizeof(func))) {
		napi_throw_type_error(env, "CT_ERR_NATIVE", "attachUprobe: bad string argument");
		return NULL;
	}
	napi_get_value_bool(env, argv[4], &retprobe);
	napi_get_value_int32(env, argv[5], &pid);
	napi_get_value_uint32(env, argv[6], &cookie);
	int64_t offset = 0;
	napi_get_value_int64(env, argv[7], &offset);
	if (offset < 0)
		offset = 0;

	struct bpf_program *prog = bpf_object__find_program_by_name(h->skel->obj, prog_name);
	if (!prog)
		return throw_error(env, "CT_ERR_ATTACH", "no such BPF program", ENOENT);
	log_clear();
	LIBBPF_OPTS(bpf_uprobe_opts, opts, .func_name = func[0] ? func : NULL, .retprobe = retprobe, .bpf_cookie = cookie);
	struct bpf_link *link = bpf_program__attach_uprobe_opts(prog, pid, path, func[0] ? 0 : (size_t)offset, &opts);
	if (!link) {
		int err = errno;
		char what[4600];
		snprintf(what, sizeof(what), "attaching %s to %s:%s+0x%llx failed", prog_name, path, func, (unsigned long long)offset);
		return throw_error(env, "CT_ERR_ATTACH", what, err);
	}
	size_t id;
	if (!add_link(h, link, &id)) {
		bpf_link__destroy(link);
		return throw_error(env, "CT_ERR_NATIVE", "out of memory", ENOMEM);
	}
	napi_value out;
	NAPI_OK(napi_create_uint32(env, id, &out));
	return out;
}

/* detach(handle, linkId) */
static napi_value js_detach(napi_env env, napi_callback_info info)
{
	napi_value argv[2];
	struct handle *h = handle_args(env, info, 2, argv);
	if (!h)
		return NULL;
	uint32_t id = 0;
	napi_get_value_uint32(env, argv[1], &id);
	if (id < h->nlinks && h->links[id]) {
		bpf_link__destroy(h->links[id]);
		h->links[id] = NULL;
	}
	return NULL;
}

/*
 * Batch buffers are recycled: JS is done with a batch when its callback returns (everything it keeps
 * is copied), so the buffer goes back to this pool instead of to malloc, whose freed 1 MiB blocks
 * would otherwise linger in the heap and grow the agent's RSS.
 */
#define POOL_MAX (BATCH_QUEUE + 4)
static uint8_t *pool[POOL_MAX];
static size_t pool_len;
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;

static uint8_t *pool_get(void)
{
	uint8_t *p = NULL;
	pthread_mutex_lock(&pool_lock);
	if (pool_len)
		p = pool[--pool_len];
	pthread_mutex_unlock(&pool_lock);
	return p ? p : malloc(BATCH_CAPACITY);
}

static void pool_put(uint8_t *p)
{
	pthread_mutex_lock(&pool_lock);
	if (pool_len < POOL_MAX) {
		pool[pool_len++] = p;
		p = NULL;
	}
	pthread_mutex_unlock(&pool_lock);
	free(p);
}

static struct batch *batch_new(void)
{
	struct batch *b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->data = pool_get();
	if (!b->data) {
		free(b);
		return NULL;
	}
	return b;
}

/* Hands the current batch to JS. Never blocks forever: while stopping, JS may not drain the queue. */
static void batch_flush(struct handle *h)
{
	struct batch *b = h->cur;
	if (!b || !b->records)
		return;
	h->cur = NULL;
	for (;;) {
		napi_status st = napi_call_threadsafe_function(h->tsfn, b, napi_tsfn_nonblocking);
		if (st == napi_ok)
			return;
		if (st != napi_queue_full || !atomic_load(&h->running))
			break;
		usleep(1000); /* JS is behind: the ring buffer absorbs the wait, and counts what it cannot */
	}
	atomic_fetch_add(&h->batches_dropped, 1);
	pool_put(b->data);
	free(b);
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct handle *h = ctx;
	size_t need = 8 + ((size + 7) & ~(size_t)7);
	if (h->cur && h->cur->len + need > BATCH_CAPACITY)
		batch_flush(h);
	if (!h->cur && !(h->cur = batch_new()))
		return 0;
	uint8_t *p = h->cur->data + h->cur->len;
	uint32_t len = size;
	memcpy(p, &len, 4);
	memset(p + 4, 0, 4);
	memcpy(p + 8, data, size);
	h->cur->len += need;
	h->cur->records++;
	return 0;
}

static void *poll_thread(void *arg)
{
	struct handle *h = arg;
	while (atomic_load(&h->running)) {
		/* Records are written without wake-ups until a backlog builds (bpf/common/emit.h), so
		 * the timeout is what normally ends the wait: consume whatever is there either way. */
		ring_buffer__poll(h->rb, POLL_TIMEOUT_MS);
		ring_buffer__consume(h->rb);
		batch_flush(h);
	}
	ring_buffer__consume(h->rb);
	batch_flush(h);
	napi_release_threadsafe_function(h->tsfn, napi_tsfn_release);
	return NULL;
}

static void recycle_batch_data(napi_env env, void *data, void *hint)
{
	(void)env;
	(void)hint;
	pool_put(data);
}

static void call_js(napi_env env, napi_value js_cb, void *context, void *data)
{
	(void)context;
	struct batch *b = data;
	if (!env || !js_cb) {
		pool_put(b->data);
		free(b);
		return;
	}
	napi_value args[2], undefined;
	bool external = napi_create_external_arraybuffer(env, b->data, b->len, recycle_batch_data, NULL, &args[0]) == napi_ok;
	if (!external) {
		/* Runtimes that forbid external buffers: copy once instead. */
		void *copy;
		if (napi_create_arraybuffer(env, b->len, &copy, &args[0]) == napi_ok)
			memcpy(copy, b->data, b->len);
		pool_put(b->data);
	}
	napi_create_uint32(env, b->records, &args[1]);
	free(b);
	napi_get_undefined(env, &undefined);
	napi_call_function(env, undefined, js_cb, 2, args, NULL);
	/* Views that outlive the callback see an empty buffer, never a recycled one; detaching also
	 * hands the memory back to the pool now rather than at the next garbage collection. */
	if (external)
		napi_detach_arraybuffer(env, args[0]);
}

/* start(handle, onBatch(arrayBuffer, records)) */
static napi_value js_start(napi_env env, napi_callback_info info)
{
	napi_value argv[2];
	struct handle *h = handle_args(env, info, 2, argv);
	if (!h)
		return NULL;
	if (h->started)
		return throw_error(env, "CT_ERR_NATIVE", "already started", EALREADY);
	h->rb = ring_buffer__new(bpf_map__fd(h->skel->maps.ct_events), on_record, h, NULL);
	if (!h->rb)
		return throw_error(env, "CT_ERR_RINGBUF", "opening the ring buffer failed", errno);
	napi_value name;
	NAPI_OK(napi_create_string_utf8(env, "cleartap-ringbuf", NAPI_AUTO_LENGTH, &name));
	NAPI_OK(napi_create_threadsafe_function(env, argv[1], NULL, name, BATCH_QUEUE, 1, NULL, NULL, NULL, call_js,
						&h->tsfn));
	atomic_store(&h->running, true);
	int err = pthread_create(&h->thread, NULL, poll_thread, h);
	if (err) {
		atomic_store(&h->running, false);
		napi_release_threadsafe_function(h->tsfn, napi_tsfn_abort);
		return throw_error(env, "CT_ERR_NATIVE", "starting the ring-buffer thread failed", err);
	}
	h->started = true;
	return NULL;
}

static void stop_thread(struct handle *h)
{
	if (!h->started)
		return;
	atomic_store(&h->running, false);
	pthread_join(h->thread, NULL);
	h->started = false;
}

/* stop(handle): drains what is in the ring, then stops the thread. Batches already queued still
 * reach JS on later turns of the event loop. */
static napi_value js_stop(napi_env env, napi_callback_info info)
{
	napi_value argv[1];
	struct handle *h = handle_args(env, info, 1, argv);
	if (h)
		stop_thread(h);
	return NULL;
}

/* close(handle): detaches every probe and frees the BPF object. */
static napi_value js_close(napi_env env, napi_callback_info info)
{
	napi_value argv[1];
	struct handle *h = handle_args(env, info, 1, argv);
	if (!h)
		return NULL;
	stop_thread(h);
	handle_free(h);
	return NULL;
}

/* counters(handle) → Float64Array of the per-CPU counters summed, then batchesDropped. */
static napi_value js_counters(napi_env env, napi_callback_info info)
{
	napi_value argv[1];
	struct handle *h = handle_args(env, info, 1, argv);
	if (!h || !h->skel)
		return NULL;
	int ncpu = libbpf_num_possible_cpus();
	if (ncpu <= 0)
		return throw_error(env, "CT_ERR_NATIVE", "cannot count CPUs", -ncpu);
	uint64_t *vals = calloc(ncpu, sizeof(uint64_t));
	if (!vals)
		return throw_error(env, "CT_ERR_NATIVE", "out of memory", ENOMEM);
	napi_value ab, out;
	double *sums;
	NAPI_OK(napi_create_arraybuffer(env, (CT_CNT_MAX + 1) * sizeof(double), (void **)&sums, &ab));
	int fd = bpf_map__fd(h->skel->maps.ct_counters);
	for (uint32_t k = 0; k < CT_CNT_MAX; k++) {
		uint64_t total = 0;
		if (bpf_map_lookup_elem(fd, &k, vals) == 0)
			for (int c = 0; c < ncpu; c++)
				total += vals[c];
		sums[k] = (double)total;
	}
	sums[CT_CNT_MAX] = (double)atomic_load(&h->batches_dropped);
	free(vals);
	NAPI_OK(napi_create_typedarray(env, napi_float64_array, CT_CNT_MAX + 1, ab, 0, &out));
	return out;
}

/* forgetConn(handle, pid, fd, connId): drops the kernel's entry for a socket of an exited (or
 * exec'd) process — only if it is still that connection, not a newer socket on the same fd. */
static napi_value js_forget_conn(napi_env env, napi_callback_info info)
{
	napi_value argv[4];
	struct handle *h = handle_args(env, info, 4, argv);
	if (!h || !h->skel)
		return NULL;
	struct ct_conn_key key = {0};
	double conn_id = 0;
	napi_get_value_uint32(env, argv[1], &key.pid);
	napi_get_value_uint32(env, argv[2], &key.fd);
	napi_get_value_double(env, argv[3], &conn_id);
	int fd = bpf_map__fd(h->skel->maps.ct_conns);
	__u64 value[8]; /* struct ct_conn (bpf/maps/conns.h) begins with its u64 conn_id */
	if (bpf_map__value_size(h->skel->maps.ct_conns) <= sizeof(value) && bpf_map_lookup_elem(fd, &key, value) == 0 &&
	    (double)value[0] == conn_id)
		bpf_map_delete_elem(fd, &key);
	return NULL;
}

/* setProcessSkip(handle, pid, bits): what the kernel leaves out for an ignored process (CT_SKIP_*);
 * 0 deletes its entry. */
static napi_value js_set_process_skip(napi_env env, napi_callback_info info)
{
	napi_value argv[3];
	struct handle *h = handle_args(env, info, 3, argv);
	if (!h || !h->skel)
		return NULL;
	uint32_t pid = 0, bits = 0;
	napi_get_value_uint32(env, argv[1], &pid);
	napi_get_value_uint32(env, argv[2], &bits);
	int fd = bpf_map__fd(h->skel->maps.ct_proc_skip);
	if (bits == 0) {
		bpf_map_delete_elem(fd, &pid);
		return NULL;
	}
	if (bpf_map_update_elem(fd, &pid, &bits, BPF_ANY) != 0)
		return throw_error(env, "CT_ERR_NATIVE", "updating the ignored-process map failed", errno);
	return NULL;
}

/* setCallLimits(handle, maxChunk, maxChunks): how much of each call the kernel copies from now on
 * (the programs read these globals through the memory-mapped .data map). */
static napi_value js_set_call_limits(napi_env env, napi_callback_info info)
{
	napi_value argv[3];
	struct handle *h = handle_args(env, info, 3, argv);
	if (!h || !h->skel)
		return NULL;
	uint32_t chunk = 0, chunks = 0;
	napi_get_value_uint32(env, argv[1], &chunk);
	napi_get_value_uint32(env, argv[2], &chunks);
	if (!h->skel->data)
		return throw_error(env, "CT_ERR_NATIVE", "the settings map is not memory-mapped", ENOTSUP);
	h->skel->data->ct_max_chunk = chunk;
	h->skel->data->ct_max_chunks = chunks;
	return NULL;
}

/* monotonicNs() → the clock the BPF timestamps use, as a double (ns). */
static napi_value js_monotonic_ns(napi_env env, napi_callback_info info)
{
	(void)info;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	napi_value out;
	NAPI_OK(napi_create_double(env, (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec, &out));
	return out;
}

static napi_value init(napi_env env, napi_value exports)
{
	napi_property_descriptor props[] = {
		{"open", NULL, js_open, NULL, NULL, NULL, napi_default, NULL},
		{"attachTracepoints", NULL, js_attach_tracepoints, NULL, NULL, NULL, napi_default, NULL},
		{"attachUprobe", NULL, js_attach_uprobe, NULL, NULL, NULL, napi_default, NULL},
		{"detach", NULL, js_detach, NULL, NULL, NULL, napi_default, NULL},
		{"attachUprobeMulti", NULL, js_attach_uprobe_multi, NULL, NULL, NULL, napi_default, NULL},
		{"start", NULL, js_start, NULL, NULL, NULL, napi_default, NULL},
		{"stop", NULL, js_stop, NULL, NULL, NULL, napi_default, NULL},
		{"close", NULL, js_close, NULL, NULL, NULL, napi_default, NULL},
		{"counters", NULL, js_counters, NULL, NULL, NULL, napi_default, NULL},
		{"forgetConn", NULL, js_forget_conn, NULL, NULL, NULL, napi_default, NULL},
		{"setProcessSkip", NULL, js_set_process_skip, NULL, NULL, NULL, napi_default, NULL},
		{"setCallLimits", NULL, js_set_call_limits, NULL, NULL, NULL, napi_default, NULL},
		{"monotonicNs", NULL, js_monotonic_ns, NULL, NULL, NULL, napi_default, NULL},
	};
	napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
	return exports;
}

NAPI_MODULE(cleartap, init)
