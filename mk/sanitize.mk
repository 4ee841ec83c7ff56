# make test-san: the whole test suite (make test) built with
# AddressSanitizer, LeakSanitizer and UndefinedBehaviorSanitizer
# (SANITIZE=address,undefined,float-cast-overflow, build/san: gcc's
# "undefined" leaves out the out-of-range double-to-integer cast).  Every report, from any process
# the tests start (the console in tmux included), is written to
# $(SAN_REPORTS)/{asan,ubsan}.PID instead of a terminal nobody reads; one
# report fails the target even when every test passed.  ./sitrep is the
# plain build again afterwards.  docs/reliability.md "Sanitizers and static
# analysis"; .ci/run runs it after make test.
SAN_REPORTS	?= $(CURDIR)/build/san-reports
SAN_CHECKS	?= address,undefined,float-cast-overflow

.PHONY: test-san
test-san: deps
	@rm -rf $(SAN_REPORTS) && mkdir -p $(SAN_REPORTS)
	@rc=0; \
	ASAN_OPTIONS=detect_leaks=1:log_path=$(SAN_REPORTS)/asan \
	UBSAN_OPTIONS=print_stacktrace=1:log_path=$(SAN_REPORTS)/ubsan \
	    $(MAKE) --no-print-directory test SANITIZE=$(SAN_CHECKS) || rc=1; \
	$(MAKE) --no-print-directory sitrep >/dev/null || rc=1; \
	if [ -n "$$(ls -A $(SAN_REPORTS))" ]; then \
		echo "sanitizer reports in $(SAN_REPORTS):"; \
		for f in $(SAN_REPORTS)/*; do echo "== $$f"; head -40 "$$f"; done; \
		rc=1; \
	else echo "sanitizers: no report"; fi; \
	exit $$rc
