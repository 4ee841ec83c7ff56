# fuzz.mk: libFuzzer targets for every parser of outside input (included
# by the Makefile; docs/reliability.md, "Fuzzing").
#
#   make fuzz                   build, then run each tests/fuzz/fuzz_*.c for
#                               FUZZ_TIME seconds (default 30)
#   make fuzz FUZZ_TIME=600     the long runs
#   make fuzz FUZZ_TARGETS="fuzz_theme fuzz_kubeconfig"   some of them
#   make fuzz-build             build only
#   tests/e2e/fuzz_smoke.sh     what make test runs: the saved crashes of
#                               tests/fuzz/regress/, then 10 s a target
#
# Everything is built with clang and -fsanitize=fuzzer,address,undefined
# into build/fuzz/ (the library objects too, with fuzzer-no-link so that
# libFuzzer sees their coverage), never mixed with build/std.  Corpora
# grow in build/fuzz/corpus/TARGET/, seeded from tests/fuzz/corpus/TARGET/
# and the fixtures (tests/fuzz/run.sh); crashes land in
# build/fuzz/crashes/TARGET/ and fail the run.

FUZZ_CC		?= clang
FUZZ_TIME	?= 30
FUZZ_B		:= build/fuzz
FUZZ_SAN	:= address,undefined
FUZZ_FLAGS	:= -g -O1 -fno-omit-frame-pointer -fno-sanitize-recover=all
FUZZ_CFLAGS	= -std=c11 -D_GNU_SOURCE $(WARN) $(FUZZ_FLAGS) $(PKG_CFLAGS) \
		  -I. -Icore -Itui -Ipanels -Ibackends \
		  -DSITREP_VERSION='"$(VERSION)"' -DDATADIR='"$(DATADIR)"' \
		  -MMD -MP

FUZZ_SRCS	:= $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS	:= $(FUZZ_SRCS:tests/fuzz/%.c=$(FUZZ_B)/%)
FUZZ_TARGETS	?= $(FUZZ_SRCS:tests/fuzz/%.c=%)
# The parsers live in core/, tui/ and backends/; the views are not needed.
FUZZ_LIB_OBJS	:= $(patsubst %.c,$(FUZZ_B)/%.o, \
		   $(filter-out panels/%,$(LIB_SRCS)))

.PHONY: fuzz fuzz-build

fuzz-build: $(FUZZ_BINS)

fuzz: deps
	@$(MAKE) -s --no-print-directory fuzz-build
	@FUZZ_B=$(FUZZ_B) sh tests/fuzz/run.sh $(FUZZ_TIME) $(FUZZ_TARGETS)

$(FUZZ_B)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $<"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,$(FUZZ_SAN) \
	    -c -o $@ $<

# An archive, so that a target links only the objects it reaches.
$(FUZZ_B)/libsitrep.a: $(FUZZ_LIB_OBJS)
	@echo "  AR      $@"
	@rm -f $@
	@ar rcs $@ $^

$(FUZZ_B)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_B)/libsitrep.a
	@echo "  FUZZLD  $@"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer,$(FUZZ_SAN) -o $@ $< \
	    $(FUZZ_B)/libsitrep.a $(FUZZ_LDFLAGS) $(LDLIBS)

# The circuits source's answers come from the input, not from sockets.
$(FUZZ_B)/fuzz_prometheus: FUZZ_LDFLAGS = -Wl,--wrap=http_target_request

# The unit test that replays tests/fuzz/regress/ through the harnesses
# (tests/unit/test_fuzz_regress.c) uses fuzz_prometheus' transport too.
$(B)/tests/test_fuzz_regress: LDFLAGS += -Wl,--wrap=http_target_request
