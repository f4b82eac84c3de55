/*
 * bpf_tracing.h reads arm64 uprobe arguments through struct user_pt_regs. A vmlinux.h generated from an
 * x86_64 kernel (the arm64 object cross-built on x86_64, `make cross-arm64`) does not have it; it is UAPI
 * (arch/arm64/include/uapi/asm/ptrace.h), so its layout is fixed and declared here, without CO-RE
 * relocations. An arm64 host's own vmlinux.h has it and this file declares nothing.
 */
#ifndef CT_ARCH_PT_REGS_H
#define CT_ARCH_PT_REGS_H
#if defined(__TARGET_ARCH_arm64) && defined(CT_FOREIGN_VMLINUX)
struct user_pt_regs {
	__u64 regs[31];
	__u64 sp;
	__u64 pc;
	__u64 pstate;
};
#endif
#endif
