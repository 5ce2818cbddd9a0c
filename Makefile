# vigil - one non-recursive GNU Makefile.  `make help` lists the targets.

OUT       ?= .build
CC        ?= cc
CLANG     ?= clang
BPFTOOL   ?= bpftool
ARCH      := x86
CFLAGS    ?= -O2 -g

WARN      := -Wall -Wextra -Wshadow -Wpointer-arith -Wstrict-prototypes \
             -Wmissing-prototypes -Wformat=2 -Wvla -Wimplicit-fallthrough \
             -Wundef -Werror
ifeq ($(SAN),1)
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
             -fno-omit-frame-pointer
OUT       := .build-san
endif
PKGS      := libbpf libxml-2.0 sqlite3 libcrypto libmicrohttpd libssl libcurl
VG_CFLAGS  = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(SAN_FLAGS) \
             -Iinclude -Isrc -isystem $(OUT) \
             $(shell pkg-config --cflags $(PKGS)) -MMD -MP
VG_LDLIBS  = $(shell pkg-config --libs $(PKGS)) -lelf -lz -lpthread
BPF_CFLAGS = -g -O2 -mcpu=v3 -Wall -Werror -target bpf \
             -D__TARGET_ARCH_$(ARCH) -Iinclude -Ibpf -I$(OUT) -MMD -MP

# Every module is a folder of src/; main.c is the only file outside one.
SRCS      := $(wildcard src/*/*.c)
OBJS      := $(patsubst src/%.c,$(OUT)/src/%.o,$(SRCS))
BPF_SRCS  := $(wildcard bpf/*.bpf.c)
BPF_OBJS  := $(patsubst bpf/%.bpf.c,$(OUT)/bpf/%.bpf.o,$(BPF_SRCS))
UNIT_SRCS := $(wildcard tests/unit/*_test.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(OUT)/tests/%,$(UNIT_SRCS))
HELPERS   := $(patsubst tests/helpers/%.c,$(OUT)/tests/helpers/%,\
             $(wildcard tests/helpers/*.c))

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

.PHONY: all help check check-unit check-integration test deps run clean format san-build \
        format-check bench install
all: $(OUT)/vigil $(HELPERS)

help:
	@echo "make               build $(OUT)/vigil"
	@echo "make test          unit + integration tests (integration needs root)"
	@echo "make check-unit    unit tests only (no root needed)"
	@echo "make test-asan     the whole suite again under ASan/UBSan (root)"
	@echo "make fuzz          every fuzzer for FUZZ_SECONDS (default 60) each"
	@echo "make bench         benchmarks (root), writes BENCHMARKS.md"
	@echo "make golden-record record the golden wire replays again (root)"
	@echo "make deps          install Debian build/test dependencies (root)"
	@echo "make run           build and monitor in the foreground (root)"
	@echo "make format        clang-format the tree"
	@echo "make clean         remove build output"

deps:
	scripts/deps.sh

# Monitor in the foreground with the built-in config (root; Ctrl-C stops).
run: all
	$(OUT)/vigil run

$(OUT)/vmlinux.h:
	$(call msg,BTF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@

$(OUT)/bpf/%.bpf.o: bpf/%.bpf.c $(OUT)/vmlinux.h
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

# maps.bpf.o first: bpftool 7.1's linker fails relocations ("failed to find
# map for section '.maps'") when an object that declares the shared maps
# extern comes before the one defining them and has maps of its own.
BPF_LINK_ORDER := $(OUT)/bpf/maps.bpf.o \
                  $(filter-out $(OUT)/bpf/maps.bpf.o,$(BPF_OBJS))
$(OUT)/sensor.bpf.o: $(BPF_LINK_ORDER)
	$(call msg,GEN-OBJ,$@)
	$(Q)$(BPFTOOL) gen object $@ $^

$(OUT)/sensor.skel.h: $(OUT)/sensor.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name sensor_bpf > $@

$(OUT)/src/sensor/loader.o: $(OUT)/sensor.skel.h

$(OUT)/src/%.o: src/%.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(VG_CFLAGS) -c $< -o $@

# Tests and the binary link the modules from one archive, so a test pulls
# in only the modules it uses.
$(OUT)/libvigil.a: $(OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(OUT)/vigil: $(OUT)/src/main.o $(OUT)/libvigil.a
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) $(SAN_FLAGS) $(filter-out %.h,$^) $(VG_LDLIBS) -o $@

# -MMD names a header in the .d files these rules read back: headers are
# prerequisites, never inputs ($(filter-out %.h,$^)).
$(OUT)/tests/%_test: tests/unit/%_test.c $(OUT)/libvigil.a
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(VG_CFLAGS) -Itests $(filter-out %.h,$^) $(VG_LDLIBS) -o $@

$(OUT)/tests/helpers/%: tests/helpers/%.c $(OUT)/libvigil.a
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(VG_CFLAGS) $(filter-out %.h,$^) $(VG_LDLIBS) -o $@

# static_*: alone in an empty root (tests that build a container).
$(OUT)/tests/helpers/static_%: tests/helpers/static_%.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -std=c11 -D_GNU_SOURCE $(WARN) -O2 -static $< -o $@

check-unit: $(UNIT_BINS) $(OUT)/vigil
	@tests/run-unit.sh $(UNIT_BINS)

check-integration: all
	@VIGIL=$(abspath $(OUT)/vigil) HELPERS=$(abspath $(OUT)/tests/helpers) \
		tests/run-all.sh

# The README's test command: everything, ending in "N passed, N failed".
# The unit tests and one daemon run (leaks checked at exit) also run under
# ASan/UBSan, from the .build-san tree.
SAN_BINS  := $(patsubst tests/unit/%.c,.build-san/tests/%,$(UNIT_SRCS))
san-build:
	@$(MAKE) --no-print-directory SAN=1 all $(SAN_BINS)

test: all $(UNIT_BINS) san-build
	@VIGIL=$(abspath $(OUT)/vigil) HELPERS=$(abspath $(OUT)/tests/helpers) \
		VIGIL_SAN=$(abspath .build-san/vigil) \
		SAN_UNIT_BINS="$(SAN_BINS)" tests/run-all.sh $(UNIT_BINS)

# The whole suite once more with vigil built with ASan/UBSan: unit tests,
# corpora, golden replays and every integration test, each failing on any
# sanitizer report (leaks at exit included) of any vigil process it ran.
.PHONY: test-asan
test-asan: all san-build
	@VIGIL=$(abspath .build-san/vigil) HELPERS=$(abspath $(OUT)/tests/helpers) \
		SAN_REPORTS=$$(mktemp -d /tmp/vigil-asan.XXXXXX) \
		SAN_UNIT_BINS="$(SAN_BINS)" tests/run-all.sh

bench: all
	@VIGIL=$(abspath $(OUT)/vigil) bench/run.sh

# Golden replay tier (tests/golden/README.md): the decoder that replays
# recorded ring records, and `make golden-record` (root) to record them
# again after the wire layout changed.
$(OUT)/tests/golden_decode: tests/golden/golden_decode.c $(OUT)/libvigil.a
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(VG_CFLAGS) $(filter-out %.h,$^) $(VG_LDLIBS) -o $@

.PHONY: golden-record golden-expected
golden-record: all $(OUT)/tests/golden_decode
	@OUT=$(OUT) tests/golden/record.sh
	@$(MAKE) --no-print-directory fuzz-seeds
golden-expected: $(OUT)/tests/golden_decode
	@OUT=$(OUT) tests/golden/record.sh -n

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

format-check:
	clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')

clean:
	rm -rf .build .build-san .build-*

.DELETE_ON_ERROR:
.SECONDARY:
-include $(shell find $(OUT) -name '*.d' 2>/dev/null)

# Benchmarks (bench/README.md): the workload programs bench/run.sh drives.
BENCH_PROGS := exec_loop connect_loop udp_loop file_churn syscall_tax event_rate
BENCH_BINS  := $(addprefix $(OUT)/bench/,$(BENCH_PROGS))

$(BENCH_BINS): $(OUT)/bench/%: bench/%.c bench/bench.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(VG_CFLAGS) $< -o $@

# The module benchmarks (rules, store) are built too when present, so
# that run.sh folds their figures into the table; forward_bench.sh fills
# its store with store_test.
bench: $(BENCH_BINS) $(patsubst bench/%.c,$(OUT)/bench/%,\
       $(wildcard bench/rules_bench.c bench/store_bench.c bench/web_bench.c)) \
       $(OUT)/tests/store_test

# ---- fuzzing (tests/fuzz/README.md) -----------------------------------------
# make fuzz [FUZZ_SECONDS=60] [T="fuzz_config fuzz_web"]: libFuzzer +
# ASan/UBSan with clang, each harness (default: every tests/fuzz/fuzz_*.c)
# for FUZZ_SECONDS.  New inputs go to .build-fuzz/corpus-T (the committed
# corpus is only read), crashes to .build-fuzz/crash/T-*; the first crash
# stops the run; tests/fuzz/T.dict, when there is one, is the harness's
# libFuzzer dictionary.  make fuzz-replay [SAN=1]: every committed corpus
# once, no libFuzzer (make test does this, with and without sanitizers).
FUZZERS      := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
T            ?= $(FUZZERS)
SECS         ?= 60
FUZZ_SECONDS ?= $(SECS)
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all \
            -fno-omit-frame-pointer
.PHONY: fuzz fuzz-replay
fuzz:
	$(MAKE) OUT=.build-fuzz CC=$(CLANG) \
		CFLAGS="-O1 -g -fsanitize=fuzzer-no-link $(FUZZ_SAN)" \
		.build-fuzz/libvigil.a
	mkdir -p .build-fuzz/crash
	set -e; for t in $(T); do \
		$(CLANG) -std=c11 -D_GNU_SOURCE -O1 -g -fsanitize=fuzzer \
			$(FUZZ_SAN) -Isrc -Iinclude tests/fuzz/$$t.c \
			.build-fuzz/libvigil.a $(VG_LDLIBS) -o .build-fuzz/$$t; \
		mkdir -p .build-fuzz/corpus-$$t; \
		dict=; [ ! -f tests/fuzz/$$t.dict ] || \
			dict=-dict=tests/fuzz/$$t.dict; \
		echo "fuzz: $$t for $(FUZZ_SECONDS) s"; \
		.build-fuzz/$$t -max_total_time=$(FUZZ_SECONDS) $$dict \
			-max_len=65536 -print_final_stats=1 \
			-artifact_prefix=.build-fuzz/crash/$$t- \
			.build-fuzz/corpus-$$t tests/fuzz/corpus/$$t; \
	done

fuzz-replay:
	@SAN=$(SAN) OUT=$(OUT) tests/fuzz/replay.sh

# make fuzz-seeds: rewrite fuzz_decode's generated seeds (records built
# from wire.h, and every golden recording); files the fuzzer found stay.
.PHONY: fuzz-seeds
fuzz-seeds: $(OUT)/libvigil.a
	$(Q)mkdir -p $(OUT)/tests tests/fuzz/corpus/fuzz_decode
	$(Q)$(CC) $(VG_CFLAGS) -Itests tests/fuzz/decode_seeds.c \
		$(OUT)/libvigil.a $(VG_LDLIBS) -o $(OUT)/tests/decode_seeds
	$(OUT)/tests/decode_seeds tests/fuzz/corpus/fuzz_decode \
		$(wildcard tests/golden/*.wire)

$(OUT)/bench/rules_bench: bench/rules_bench.c $(OUT)/libvigil.a
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(VG_CFLAGS) $(filter-out %.h,$^) $(VG_LDLIBS) -o $@

# Service module: the man pages are built into the binary (-i installs
# them), and `make man-lint` checks them.
$(OUT)/src/service/manpages.o: man/vigil.8 man/vigil.conf.5

# Web module: the viewer's pages are built into the binary.
$(OUT)/src/web/assets.o: $(wildcard web/*)

# The README's screenshots, taken by the web viewer's browser test.
.PHONY: web-shots
web-shots: all
	@for t in 70-web 71-web-fleet; do \
		WEB_SHOTS=$(abspath docs) VIGIL=$(abspath $(OUT)/vigil) \
		HELPERS=$(abspath $(OUT)/tests/helpers) \
		bash tests/integration/$$t.sh || exit 1; \
	done

.PHONY: man-lint
man-lint:
	mandoc -Tlint -Wwarning man/vigil.8 man/vigil.conf.5

# Event store benchmark (insert rate and field query latency, with
# baselines); bench/run.sh runs it when built.
$(OUT)/bench/store_bench $(OUT)/bench/web_bench: $(OUT)/bench/%: bench/%.c $(OUT)/libvigil.a
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(VG_CFLAGS) $(filter-out %.h,$^) $(VG_LDLIBS) -o $@
