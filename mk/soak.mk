# make soak: an hour of the console on the demo world, busy (tests/soak/soak.sh;
# docs/reliability.md "Soak").  SOAK_SECONDS=N for another length; the
# samples (RSS, fds, threads) go to $(SOAK_OUT)/samples.csv.
# The test suite runs a short version: tests/e2e/soak_short.sh.
SOAK_SECONDS	?= 3600
SOAK_OUT	?= build/soak

.PHONY: soak
soak: deps sitrep
	@SOAK_SECONDS=$(SOAK_SECONDS) SOAK_OUT=$(SOAK_OUT) nice -n 10 \
	    bash tests/soak/soak.sh
