#!/usr/bin/env bash
# make install puts the binary, themes, scenarios and man page under a
# prefix, and the installed binary finds its data there.
. "$(dirname "$0")/lib.bash"
dest="$TMP/dest"
make -s -C "$ROOT" install DESTDIR="$dest" PREFIX=/opt/sitrep >/dev/null 2>&1
check "install puts the binary in PREFIX/bin" test -x "$dest/opt/sitrep/bin/sitrep"
check "install puts the themes in PREFIX/share/sitrep" test -f "$dest/opt/sitrep/share/sitrep/themes/high-contrast.yaml"
check "install puts the scenarios in PREFIX/share/sitrep" test -f "$dest/opt/sitrep/share/sitrep/scenarios/primary-lost.yaml"
check "install puts the man page in PREFIX/share/man/man1" test -f "$dest/opt/sitrep/share/man/man1/sitrep.1"
SITREP="$dest/opt/sitrep/bin/sitrep"
(cd "$TMP" && start 100 30 -- --demo=primary-lost --theme=high-contrast)
check "the installed binary finds its scenarios and themes" wait_for "DEMO primary-lost" 10
check "no theme error from the installed binary" wait_gone "no theme" 1
keys q
finish
