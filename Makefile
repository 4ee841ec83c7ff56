# sitrep: a full-screen terminal incident console.
#
#   make            build ./sitrep
#   make deps       install missing Debian packages (build and test)
#   make run        deps, build, then ./sitrep --demo
#   make test       deps, build, every test; ends with "N passed, N failed"
#   make bench      the benchmarks (docs/performance.md)
#   make install    PREFIX=/usr/local DESTDIR=
#   make clean
#   SANITIZE=address,undefined   build with sanitizers (separate build dir)

PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
DATADIR	?= $(PREFIX)/share/sitrep
MANDIR	?= $(PREFIX)/share/man
VERSION	:= 0.1.0

CC	?= cc
PKGS	:= ncursesw libcurl libcjson libpq hiredis yaml-0.1 openssl
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN	:= -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow \
	   -Wstrict-prototypes -Wmissing-prototypes -Wformat=2
CFLAGS	?= -O2 -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(PKG_CFLAGS) \
	   -I. -Icore -Itui -Ipanels -Ibackends \
	   -DSITREP_VERSION='"$(VERSION)"' -DDATADIR='"$(DATADIR)"' \
	   -MMD -MP
LDLIBS	= $(PKG_LIBS) -lpthread -lm

ifneq ($(SANITIZE),)
ALL_CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -O1
LDFLAGS += -fsanitize=$(SANITIZE)
B	:= build/san
else
B	:= build/std
endif

LIB_SRCS := $(sort $(wildcard core/*.c tui/*.c panels/*.c backends/*.c))
LIB_OBJS := $(LIB_SRCS:%.c=$(B)/%.o)
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(B)/tests/%)
ITEST_SRCS := $(sort $(wildcard tests/integration/itest_*.c))
ITEST_BINS := $(ITEST_SRCS:tests/integration/%.c=$(B)/tests/%)
TOOL_SRCS := $(sort $(wildcard tests/bench/*.c tests/e2e/*.c))
TOOL_BINS := $(TOOL_SRCS:%.c=$(B)/%)

.PHONY: FORCE all deps run test unit e2e integration bench install clean lab lab-stop

all: sitrep

# ./sitrep is whichever build was made last (plain or SANITIZE).
sitrep: $(B)/sitrep FORCE
	@cmp -s $< $@ || { cp $< $@.tmp.$$$$ && mv -f $@.tmp.$$$$ $@; }

FORCE:

$(B)/sitrep: $(B)/sitrep.o $(LIB_OBJS)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LDLIBS)

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/tests/test_%: tests/unit/test_%.c $(LIB_OBJS)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(filter %.c %.o,$^) $(LDLIBS) -lcmocka

$(B)/tests/itest_%: tests/integration/itest_%.c $(LIB_OBJS)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(filter %.c %.o,$^) $(LDLIBS) -lcmocka

$(B)/tests/bench/%: tests/bench/%.c $(LIB_OBJS)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(filter %.c %.o,$^) $(LDLIBS) -lutil

$(B)/tests/e2e/%: tests/e2e/%.c
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(filter %.c %.o,$^) -lutil

deps:
	@sh mk/deps.sh

run: deps
	$(MAKE) sitrep
	./sitrep --demo

test: deps
	$(MAKE) sitrep $(UNIT_BINS) $(ITEST_BINS) $(TOOL_BINS)
	@B=$(B) sh tests/run.sh

unit: sitrep $(UNIT_BINS)
	@B=$(B) ONLY=unit sh tests/run.sh

e2e: sitrep $(TOOL_BINS)
	@B=$(B) ONLY=e2e sh tests/run.sh

integration: sitrep $(ITEST_BINS) $(TOOL_BINS)
	@B=$(B) ONLY=integration sh tests/run.sh

# A lab for a person: PostgreSQL primary + standby, Redis primary + replica.
lab: deps sitrep
	@bash tests/lab/lab.sh start
	@echo
	@echo "Point sitrep at it:  ./sitrep --config /tmp/sitrep-lab/sitrep.yaml"
	@echo "Stop it:             make lab-stop"

lab-stop:
	@bash tests/lab/lab.sh stop

bench: deps
	$(MAKE) sitrep $(TOOL_BINS)
	@B=$(B) sh tests/bench/run.sh

install: sitrep
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/themes \
	    $(DESTDIR)$(DATADIR)/scenarios $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(DATADIR)/runbooks/drills
	install -m 755 sitrep $(DESTDIR)$(BINDIR)/sitrep
	install -m 644 themes/*.yaml $(DESTDIR)$(DATADIR)/themes/
	install -m 644 scenarios/*.yaml $(DESTDIR)$(DATADIR)/scenarios/
	install -m 644 runbooks/*.yaml $(DESTDIR)$(DATADIR)/runbooks/
	install -m 644 runbooks/drills/*.yaml $(DESTDIR)$(DATADIR)/runbooks/drills/
	install -m 644 docs/sitrep.1 $(DESTDIR)$(MANDIR)/man1/sitrep.1

clean:
	rm -rf build sitrep

# More targets: make fuzz (mk/fuzz.mk), make soak (mk/soak.mk), make lint
# (mk/lint.mk).
-include $(wildcard mk/*.mk)

-include $(shell find build -name '*.d' 2>/dev/null)
