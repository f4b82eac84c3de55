// SPDX-License-Identifier: GPL-2.0
/* cleartap's kernel side: one object so that every hook family shares the same maps and ring
 * buffer. Each family lives in its own header; optional programs are switched off by the loader
 * with bpf_program__set_autoload(). */
#include "vmlinux.h"
#include "arch/pt-regs.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#include "shared/wire.h"
#include "common/settings.h"
#include "maps/counters.h"
#include "maps/events.h"
#include "maps/scratch.h"
#include "maps/conns.h"
#include "maps/syscall-args.h"
#include "maps/tls.h"
#include "maps/proc-skip.h"
#include "maps/go-tls.h"
#include "common/emit.h"
#include "sock/conn.h"
#include "sock/syscalls.h"
#include "tls/openssl.h"
#include "tls/go.h"
#include "proc/process.h"

char LICENSE[] SEC("license") = "GPL";
