# make lint: cppcheck and clang-tidy over core/ tui/ panels/ backends/
# sitrep.c with the project's chosen checks (.clang-tidy, mk/cppcheck.supp;
# docs/reliability.md "Sanitizers and static analysis" says which and why).
# Fails on any finding.
#   LINT_QUICK=1   what the test suite runs (tests/e2e/lint.sh): every
#                  clang-tidy check but the static analyzer on every file,
#                  the analyzer (clang-analyzer-*, ~9 s a file) on tui/ only
#   LINT_JOBS=2    clang-tidy processes in parallel
LINT_SRCS	:= $(sort $(wildcard core/*.c tui/*.c panels/*.c backends/*.c)) \
		   sitrep.c
LINT_INC	:= -I. -Icore -Itui -Ipanels -Ibackends
LINT_JOBS	?= 2
LINT_TIDY_FLAGS	 = -std=c11 -D_GNU_SOURCE $(PKG_CFLAGS) $(LINT_INC) \
		   -DSITREP_VERSION='"$(VERSION)"' -DDATADIR='"$(DATADIR)"'

.PHONY: lint lint-cppcheck lint-tidy
lint: deps
	@$(MAKE) --no-print-directory lint-cppcheck lint-tidy

lint-cppcheck:
	@echo "  CPPCHECK $(words $(LINT_SRCS)) files"
	@cppcheck --enable=warning,performance,portability --std=c11 \
	    --error-exitcode=1 --inline-suppr \
	    --suppressions-list=mk/cppcheck.supp -D_GNU_SOURCE $(LINT_INC) \
	    -j $(LINT_JOBS) --quiet \
	    --template='{file}:{line}:{column}: {severity}: {message} [{id}]' \
	    $(LINT_SRCS)

# One clang-tidy per file, LINT_JOBS at a time; mk/tidy.sh fails on any
# finding not excused in mk/clang-tidy.supp.
lint-tidy:
ifeq ($(LINT_QUICK),1)
	@echo "  TIDY    $(words $(LINT_SRCS)) files (quick: no analyzer)"
	@printf '%s\n' $(LINT_SRCS) | LINT_JOBS=$(LINT_JOBS) \
	    bash mk/tidy.sh --checks=-clang-analyzer-* -- $(LINT_TIDY_FLAGS)
	@echo "  TIDY    $(words $(wildcard tui/*.c)) files of tui/ (analyzer)"
	@printf '%s\n' $(sort $(wildcard tui/*.c)) | LINT_JOBS=$(LINT_JOBS) \
	    bash mk/tidy.sh -- $(LINT_TIDY_FLAGS)
else
	@echo "  TIDY    $(words $(LINT_SRCS)) files"
	@printf '%s\n' $(LINT_SRCS) | LINT_JOBS=$(LINT_JOBS) \
	    bash mk/tidy.sh -- $(LINT_TIDY_FLAGS)
endif
