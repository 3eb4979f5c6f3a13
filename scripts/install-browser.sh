#!/usr/bin/env bash
# Installs Debian's chromium, which the browser tests drive with playwright-core
# (test/support/browser.ts). Does nothing when /usr/bin/chromium is already there; needs root and apt
# otherwise. Quiet: apt's log is shown only when the install fails.
set -euo pipefail

CHROMIUM="/usr/bin/chromium"

if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-browser: $CHROMIUM is missing; run as root to install it (apt-get install chromium)" >&2
  exit 1
fi

echo "install-browser: installing chromium (Debian package)" >&2
export DEBIAN_FRONTEND=noninteractive
log="$(mktemp)"
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium; } >"$log" 2>&1; then
  cat "$log" >&2
  rm -f "$log"
  exit 1
fi
rm -f "$log"

if [ ! -x "$CHROMIUM" ]; then
  echo "install-browser: apt-get installed chromium but $CHROMIUM is not there" >&2
  exit 1
fi
