// SPDX-License-Identifier: Apache-2.0
/*
 * cleartap's packet-capture addon (passive mode): an AF_PACKET socket with a TPACKET_V3 receive ring and a
 * classic BPF filter built in TypeScript from the port list. Needs CAP_NET_RAW only — no bpf(), no libbpf —
 * so it works where eBPF is forbidden.
 *
 * The ring is mapped once and handed to JavaScript as one external ArrayBuffer; a thread waits for blocks the
 * kernel has retired and tells JavaScript their index; JavaScript parses the packets in place and releases
 * the block back to the kernel. No copy and no allocation per packet or per block. SOCK_DGRAM: every packet
 * starts at its network header, whatever the interface's link layer.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <node_api.h>
#include "napi-support.h"

#define POLL_TIMEOUT_MS 100
#define FRAME_BYTES 2048 /* TPACKET_V3 packs packets into blocks; the frame size only has to divide a block */
#define CALL_QUEUE 0    /* unlimited: at most one call per block is ever pending */

struct handle {
	int fd;
	uint8_t *ring;
	size_t ring_bytes;
	uint32_t block_bytes;
	uint32_t blocks;
	/* Blocks handed to JavaScript and not released yet (the kernel's status alone cannot tell). */
	atomic_bool *inflight;
	pthread_t thread;
	atomic_bool running;
	/* Blocks handed to the thread-safe function whose JavaScript call has not run yet. */
	atomic_uint queued;
	bool started;
	napi_threadsafe_function tsfn;
	napi_ref ring_buffer;
	/* PACKET_STATISTICS resets on every read: the totals since open. */
	double packets, drops, freezes;
};

static napi_value throw_errno(napi_env env, const char *what, int err)
{
	return ct_throw(env, "CT_ERR_PACKET_SOCKET", what, err, NULL);
}

static struct handle *handle_args(napi_env env, napi_callback_info info, size_t n, napi_value *argv)
{
	return ct_handle_args(env, info, n, argv, "expected a packet-ring handle and its arguments");
}

static void close_socket(struct handle *h)
{
	if (h->ring)
		munmap(h->ring, h->ring_bytes);
	h->ring = NULL;
	if (h->fd >= 0)
		close(h->fd);
	h->fd = -1;
}

static void stop_thread(struct handle *h);

/* The handle object was garbage-collected: whatever close() did not release goes now. */
static void finalize_handle(napi_env env, void *data, void *hint)
{
	(void)env;
	(void)hint;
	struct handle *h = data;
	stop_thread(h);
	close_socket(h);
	free(h->inflight);
	free(h);
}

/* open({ ifindex, filter: Uint8Array of struct sock_filter, blockBytes, blocks, timeoutMs }) → handle */
static napi_value js_open(napi_env env, napi_callback_info info)
{
	size_t argc = 1;
	napi_value opts;
	NAPI_OK(napi_get_cb_info(env, info, &argc, &opts, NULL, NULL));
	napi_value filter_v;
	void *filter = NULL;
	size_t filter_bytes = 0;
	napi_typedarray_type type;
	napi_value ab;
	size_t off;
	NAPI_OK(napi_get_named_property(env, opts, "filter", &filter_v));
	NAPI_OK(napi_get_typedarray_info(env, filter_v, &type, &filter_bytes, &filter, &ab, &off));
	if (type != napi_uint8_array || filter_bytes == 0 || filter_bytes % sizeof(struct sock_filter) ||
	    filter_bytes / sizeof(struct sock_filter) > BPF_MAXINSNS)
		return throw_errno(env, "the filter program is malformed", EINVAL);

	struct handle *h = calloc(1, sizeof(*h));
	if (!h)
		return throw_errno(env, "out of memory", ENOMEM);
	h->fd = -1;
	h->block_bytes = ct_get_u32(env, opts, "blockBytes", 1u << 20);
	h->blocks = ct_get_u32(env, opts, "blocks", 16);
	h->ring_bytes = (size_t)h->block_bytes * h->blocks;
	uint32_t ifindex = ct_get_u32(env, opts, "ifindex", 0);
	int err = 0;
	const char *what = NULL;

	/* Protocol 0 receives nothing until bind(): no packet reaches the ring before the filter is on. */
	h->fd = socket(AF_PACKET, SOCK_DGRAM, 0);
	if (h->fd < 0) {
		what = "socket(AF_PACKET) failed (passive capture needs CAP_NET_RAW)";
		goto fail;
	}
	int version = TPACKET_V3;
	if (setsockopt(h->fd, SOL_PACKET, PACKET_VERSION, &version, sizeof(version))) {
		what = "PACKET_VERSION TPACKET_V3 refused";
		goto fail;
	}
	struct sock_fprog prog = {.len = filter_bytes / sizeof(struct sock_filter), .filter = filter};
	if (setsockopt(h->fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog))) {
		what = "attaching the port filter failed";
		goto fail;
	}
	struct tpacket_req3 req = {
		.tp_block_size = h->block_bytes,
		.tp_block_nr = h->blocks,
		.tp_frame_size = FRAME_BYTES,
		.tp_frame_nr = (h->block_bytes / FRAME_BYTES) * h->blocks,
		.tp_retire_blk_tov = ct_get_u32(env, opts, "timeoutMs", 10),
	};
	if (setsockopt(h->fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req))) {
		what = "setting up the receive ring failed (block size must be a power-of-two multiple of the page size)";
		goto fail;
	}
	h->ring = mmap(NULL, h->ring_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, h->fd, 0);
	if (h->ring == MAP_FAILED) {
		h->ring = NULL;
		what = "mapping the receive ring failed";
		goto fail;
	}
	h->inflight = calloc(h->blocks, sizeof(atomic_bool));
	if (!h->inflight) {
		errno = ENOMEM;
		what = "out of memory";
		goto fail;
	}
	struct sockaddr_ll addr = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL), .sll_ifindex = (int)ifindex};
	if (bind(h->fd, (struct sockaddr *)&addr, sizeof(addr))) {
		what = "binding the packet socket failed";
		goto fail;
	}
	napi_value out;
	NAPI_OK(napi_create_external(env, h, finalize_handle, NULL, &out));
	return out;
fail:
	err = errno;
	close_socket(h);
	free(h->inflight);
	free(h);
	return throw_errno(env, what, err);
}

/* ring(handle) → ArrayBuffer over the whole ring (detached when the handle is closed). */
static napi_value js_ring(napi_env env, napi_callback_info info)
{
	napi_value argv[1];
	struct handle *h = handle_args(env, info, 1, argv);
	if (!h || !h->ring)
		return NULL;
	napi_value out;
	if (h->ring_buffer) {
		NAPI_OK(napi_get_reference_value(env, h->ring_buffer, &out));
		return out;
	}
	NAPI_OK(napi_create_external_arraybuffer(env, h->ring, h->ring_bytes, NULL, NULL, &out));
	NAPI_OK(napi_create_reference(env, out, 1, &h->ring_buffer));
	return out;
}

static void *poll_thread(void *arg)
{
	struct handle *h = arg;
	uint32_t next = 0;
	struct pollfd pfd = {.fd = h->fd, .events = POLLIN | POLLERR};
	while (atomic_load(&h->running)) {
		struct tpacket_block_desc *bd = (struct tpacket_block_desc *)(h->ring + (size_t)next * h->block_bytes);
		uint32_t status = __atomic_load_n(&bd->hdr.bh1.block_status, __ATOMIC_ACQUIRE);
		if (!atomic_load(&h->inflight[next]) && (status & TP_STATUS_USER)) {
			atomic_store(&h->inflight[next], true);
			atomic_fetch_add(&h->queued, 1);
			if (napi_call_threadsafe_function(h->tsfn, (void *)(uintptr_t)(next + 1), napi_tsfn_blocking) != napi_ok) {
				atomic_fetch_sub(&h->queued, 1);
				break;
			}
			next = (next + 1) % h->blocks;
			continue;
		}
		/* The next block is still JavaScript's, or still being filled. poll() reports the last retired
		 * block, which may be one JavaScript holds: sleep rather than spin on it. The kernel counts what
		 * does not fit meanwhile. */
		if (atomic_load(&h->inflight[next]) || poll(&pfd, 1, POLL_TIMEOUT_MS) > 0)
			usleep(200);
	}
	napi_release_threadsafe_function(h->tsfn, napi_tsfn_release);
	return NULL;
}

static void call_js(napi_env env, napi_value js_cb, void *context, void *data)
{
	struct handle *h = context;
	atomic_fetch_sub(&h->queued, 1);
	if (!env || !js_cb)
		return;
	napi_value index, undefined;
	napi_create_uint32(env, (uint32_t)((uintptr_t)data - 1), &index);
	napi_get_undefined(env, &undefined);
	napi_call_function(env, undefined, js_cb, 1, &index, NULL);
}

/* start(handle, onBlock(index)): JavaScript parses block `index` of ring() and calls release(index). */
static napi_value js_start(napi_env env, napi_callback_info info)
{
	napi_value argv[2];
	struct handle *h = handle_args(env, info, 2, argv);
	if (!h)
		return NULL;
	if (h->started || !h->ring)
		return throw_errno(env, "the packet ring is already started or closed", EALREADY);
	napi_value name;
	NAPI_OK(napi_create_string_utf8(env, "cleartap-packet-ring", NAPI_AUTO_LENGTH, &name));
	NAPI_OK(napi_create_threadsafe_function(env, argv[1], NULL, name, CALL_QUEUE, 1, NULL, NULL, h, call_js, &h->tsfn));
	atomic_store(&h->running, true);
	int err = pthread_create(&h->thread, NULL, poll_thread, h);
	if (err) {
		atomic_store(&h->running, false);
		napi_release_threadsafe_function(h->tsfn, napi_tsfn_abort);
		return throw_errno(env, "starting the packet-ring thread failed", err);
	}
	h->started = true;
	return NULL;
}

/* release(handle, index): the block is the kernel's again. */
static napi_value js_release(napi_env env, napi_callback_info info)
{
	napi_value argv[2];
	struct handle *h = handle_args(env, info, 2, argv);
	uint32_t i = 0;
	if (!h || !h->ring || napi_get_value_uint32(env, argv[1], &i) != napi_ok || i >= h->blocks)
		return NULL;
	struct tpacket_block_desc *bd = (struct tpacket_block_desc *)(h->ring + (size_t)i * h->block_bytes);
	__atomic_store_n(&bd->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
	atomic_store(&h->inflight[i], false);
	return NULL;
}

/* pending(handle) → blocks handed over whose callback has not run yet (stop() leaves them on their way). */
static napi_value js_pending(napi_env env, napi_callback_info info)
{
	napi_value argv[1], out;
	struct handle *h = handle_args(env, info, 1, argv);
	if (!h)
		return NULL;
	NAPI_OK(napi_create_uint32(env, atomic_load(&h->queued), &out));
	return out;
}

/* stats(handle) → [packets, drops, freezes] since open (the kernel's PACKET_STATISTICS). */
static napi_value js_stats(napi_env env, napi_callback_info info)
{
	napi_value argv[1];
	struct handle *h = handle_args(env, info, 1, argv);
	if (!h)
		return NULL;
	struct tpacket_stats_v3 st = {0};
	socklen_t len = sizeof(st);
	if (h->fd >= 0 && getsockopt(h->fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) == 0) {
		/* tp_packets counts every packet the filter passed, dropped ones included. */
		h->packets += st.tp_packets;
		h->drops += st.tp_drops;
		h->freezes += st.tp_freeze_q_cnt;
	}
	napi_value ab, out;
	double *v;
	NAPI_OK(napi_create_arraybuffer(env, 3 * sizeof(double), (void **)&v, &ab));
	v[0] = h->packets;
	v[1] = h->drops;
	v[2] = h->freezes;
	NAPI_OK(napi_create_typedarray(env, napi_float64_array, 3, ab, 0, &out));
	return out;
}

static void stop_thread(struct handle *h)
{
	if (!h->started)
		return;
	atomic_store(&h->running, false);
	pthread_join(h->thread, NULL);
	h->started = false;
}

/* stop(handle): no more blocks are handed over (calls already queued still arrive). */
static napi_value js_stop(napi_env env, napi_callback_info info)
{
	napi_value argv[1];
	struct handle *h = handle_args(env, info, 1, argv);
	if (h)
		stop_thread(h);
	return NULL;
}

/* close(handle): stops, detaches ring() from JavaScript, unmaps the ring and closes the socket. */
static napi_value js_close(napi_env env, napi_callback_info info)
{
	napi_value argv[1];
	struct handle *h = handle_args(env, info, 1, argv);
	if (!h)
		return NULL;
	stop_thread(h);
	if (h->ring_buffer) {
		napi_value ab;
		if (napi_get_reference_value(env, h->ring_buffer, &ab) == napi_ok && ab)
			napi_detach_arraybuffer(env, ab);
		napi_delete_reference(env, h->ring_buffer);
		h->ring_buffer = NULL;
	}
	close_socket(h);
	free(h->inflight);
	h->inflight = NULL;
	return NULL;
}

static napi_value init(napi_env env, napi_value exports)
{
	napi_property_descriptor props[] = {
		{"open", NULL, js_open, NULL, NULL, NULL, napi_default, NULL},
		{"ring", NULL, js_ring, NULL, NULL, NULL, napi_default, NULL},
		{"start", NULL, js_start, NULL, NULL, NULL, napi_default, NULL},
		{"release", NULL, js_release, NULL, NULL, NULL, napi_default, NULL},
		{"pending", NULL, js_pending, NULL, NULL, NULL, napi_default, NULL},
		{"stats", NULL, js_stats, NULL, NULL, NULL, napi_default, NULL},
		{"stop", NULL, js_stop, NULL, NULL, NULL, napi_default, NULL},
		{"close", NULL, js_close, NULL, NULL, NULL, napi_default, NULL},
	};
	napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
	return exports;
}

NAPI_MODULE(cleartap_packet, init)
