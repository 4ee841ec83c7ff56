#!/bin/sh
# Install the Debian packages sitrep needs to build and test, when missing.
set -e
PKGS="build-essential pkg-config libncurses-dev libcurl4-openssl-dev
libcjson-dev libpq-dev libhiredis-dev libyaml-dev libssl-dev libcmocka-dev
tmux procps python3 postgresql redis-server prometheus prometheus-alertmanager
clang libclang-rt-14-dev cppcheck clang-tidy"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
	    missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "sitrep: installing missing packages:$missing"
if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then
	SUDO="sudo"; else
	echo "sitrep: need root to install:$missing" >&2; exit 1; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || true
$SUDO apt-get install -y -qq --no-install-recommends $missing
# The Debian packages start services we do not want; the tests run their own.
for s in postgresql redis-server prometheus prometheus-alertmanager; do
	$SUDO systemctl disable --now "$s" >/dev/null 2>&1 || true
	$SUDO service "$s" stop >/dev/null 2>&1 || true
done
exit 0
