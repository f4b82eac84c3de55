/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The kernel → user-space wire format: the only place its layout is written down.
 * Included by the BPF programs (with vmlinux.h types) and by native/ (with <linux/types.h>).
 * scripts/gen-wire.ts turns the CT_ constants and struct layouts below into src/capture/wire.ts;
 * keep every struct naturally aligned (no implicit padding) so both sides agree without packing.
 */
#ifndef CLEARTAP_WIRE_H
#define CLEARTAP_WIRE_H

/* Largest payload one record carries; a call larger than this is split into several records. */
#define CT_MAX_CHUNK 16384
/* Most records one call may produce; the rest of the call becomes a gap record (CT_F_GAP). */
#define CT_MAX_CHUNKS_PER_CALL 8
/* iovec entries read per readv/writev/sendmsg/recvmsg call. */
#define CT_MAX_IOV 16
#define CT_EXEC_FILENAME_LEN 256
#define CT_EXEC_ARGS_LEN 1024

/* Record kinds: the first byte of every record. */
#define CT_EV_DATA 1
#define CT_EV_CONN 2
#define CT_EV_CLOSE 3
#define CT_EV_BIND 4
#define CT_EV_EXEC 5
#define CT_EV_EXIT 6

/* Where a data record's bytes were seen. */
#define CT_SRC_SYSCALL 0
#define CT_SRC_TLS 1
#define CT_SRC_TLS_HELLO 2 /* the first ciphertext record of a TLS socket (ClientHello: its SNI), offset 0 */
#define CT_SRC_DGRAM 3     /* one datagram of a UDP socket connected to port 53 (DNS); call_len is its size */

/* Bytes of a TLS socket's first record passed up for its ClientHello. */
#define CT_HELLO_MAX 2048

/* Which way the bytes went, from the traced process's point of view. */
#define CT_OP_SEND 0
#define CT_OP_RECV 1

/* Data record flags. */
#define CT_F_GAP 1 /* len == 0: call_len bytes starting at stream offset `offset` were not captured */

/* Connection direction as the kernel saw it being set up. */
/* The DNS port: UDP sockets connected to it are traced, one record per datagram. */
#define CT_DNS_PORT 53

#define CT_DIR_UNKNOWN 0
#define CT_DIR_EGRESS 1  /* connect() */
#define CT_DIR_INGRESS 2 /* accept() */

/* What the kernel leaves out for a process tap.filters ignores (bits of a ct_proc_skip value). */
#define CT_SKIP_TLS 1  /* TLS probes stash nothing and emit nothing */
#define CT_SKIP_DATA 2 /* plaintext sockets emit no payloads */
#define CT_SKIP_ALL 3  /* both, and its connections are not tracked at all */

/* Per-CPU counters (index into the ct_counters map). */
#define CT_CNT_RB_FAIL 0        /* a record did not fit in the ring buffer: its bytes become a gap */
#define CT_CNT_CALL_TRUNCATED 1 /* a call was larger than CT_MAX_CHUNKS_PER_CALL records */
#define CT_CNT_TRUNC_BYTES 2    /* bytes those calls did not deliver */
#define CT_CNT_READ_FAIL 3      /* bpf_probe_read_user of a payload failed (page not present) */
#define CT_CNT_STASH_MISS 4     /* a return probe found no matching entry stash */
#define CT_CNT_TLS_BIND 5       /* SSL* tied to a socket fd */
#define CT_CNT_CONN_TRACKED 6   /* sockets the kernel started tracking */
#define CT_CNT_EVENTS 7         /* records written */
#define CT_CNT_MMSG_SKIPPED 8   /* DNS messages of a sendmmsg/recvmmsg past the first two, not captured */
#define CT_CNT_MAX 9

struct ct_data_event {
	__u8 kind;     /* CT_EV_DATA */
	__u8 source;   /* CT_SRC_* */
	__u8 op;       /* CT_OP_* */
	__u8 flags;    /* CT_F_* */
	__u32 pid;     /* tgid */
	__u64 ts_ns;   /* CLOCK_MONOTONIC */
	__u64 stream;  /* syscall: conn_id; tls: the SSL* */
	__u64 offset;  /* offset of data[0] in this direction's byte stream */
	__u32 tid;
	__u32 len;     /* payload bytes that follow */
	__u32 call_len; /* bytes the whole call moved; for a CT_F_GAP record, the bytes missing */
	__u32 cookie;  /* tls: the attach cookie (which library); syscall: the fd */
	__u8 data[];
};

struct ct_conn_event {
	__u8 kind;     /* CT_EV_CONN */
	__u8 dir;      /* CT_DIR_* */
	__u16 family;  /* AF_INET / AF_INET6 */
	__u32 pid;
	__u64 ts_ns;
	__u64 conn_id;
	__u32 fd;
	__u16 lport;   /* host order */
	__u16 rport;   /* host order */
	__u8 laddr[16]; /* IPv4 in the first 4 bytes */
	__u8 raddr[16];
};

struct ct_close_event {
	__u8 kind;     /* CT_EV_CLOSE */
	__u8 pad[3];
	__u32 pid;
	__u64 ts_ns;
	__u64 conn_id;
	__u64 ssl;     /* the SSL* bound to this socket, 0 when none */
	__u32 fd;
	__u32 pad2;
	__u64 sent;    /* plaintext bytes seen on the socket (0 for TLS sockets) */
	__u64 received;
};

struct ct_bind_event {
	__u8 kind;     /* CT_EV_BIND */
	__u8 pad[3];
	__u32 pid;
	__u64 ts_ns;
	__u64 ssl;
	__u64 conn_id;
	__u32 fd;
	__u32 cookie;
};

struct ct_exec_event {
	__u8 kind;     /* CT_EV_EXEC */
	__u8 pad[3];
	__u32 pid;
	__u64 ts_ns;
	__u32 ppid;
	__u32 uid;
	__u32 filename_len;
	__u32 args_len; /* NUL-separated argv */
	char filename[CT_EXEC_FILENAME_LEN];
	char args[CT_EXEC_ARGS_LEN];
};

struct ct_exit_event {
	__u8 kind;     /* CT_EV_EXIT */
	__u8 pad[3];
	__u32 pid;
	__u64 ts_ns;
};

/* The sizes src/capture/wire.ts was generated with (scripts/gen-wire.ts); a change here must
 * regenerate it, and its test checks the two agree. */
_Static_assert(sizeof(struct ct_data_event) == 48, "ct_data_event layout");
_Static_assert(sizeof(struct ct_conn_event) == 64, "ct_conn_event layout");
_Static_assert(sizeof(struct ct_close_event) == 56, "ct_close_event layout");
_Static_assert(sizeof(struct ct_bind_event) == 40, "ct_bind_event layout");
_Static_assert(sizeof(struct ct_exec_event) == 32 + CT_EXEC_FILENAME_LEN + CT_EXEC_ARGS_LEN, "ct_exec_event layout");
_Static_assert(sizeof(struct ct_exit_event) == 16, "ct_exit_event layout");

#endif /* CLEARTAP_WIRE_H */
