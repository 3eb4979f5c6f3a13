#!/usr/bin/env bash
# Installs Debian's slapd and ldap-utils, which the LDAP tests and the LDAP benchmark run as a real
# directory (test/support/slapd.ts starts its own slapd on a loopback port with a throwaway
# config; the system's slapd service is not used). Does nothing when both are already there; needs
# root and apt otherwise. Non-interactive: debconf is told to skip the package's own directory
# set-up. Quiet: apt's log is shown only when the install fails.
set -euo pipefail

SLAPD="/usr/sbin/slapd"
LDAPADD="/usr/bin/ldapadd"

if [ -x "$SLAPD" ] && [ -x "$LDAPADD" ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-slapd: $SLAPD or $LDAPADD is missing; run as root to install them (apt-get install slapd ldap-utils)" >&2
  exit 1
fi

echo "install-slapd: installing slapd and ldap-utils (Debian packages)" >&2
export DEBIAN_FRONTEND=noninteractive
log="$(mktemp)"
# No default directory: the tests bring their own config and database.
echo "slapd slapd/no_configuration boolean true" | debconf-set-selections
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends slapd ldap-utils; } >"$log" 2>&1; then
  cat "$log" >&2
  rm -f "$log"
  exit 1
fi
rm -f "$log"

if [ ! -x "$SLAPD" ] || [ ! -x "$LDAPADD" ]; then
  echo "install-slapd: apt-get installed slapd and ldap-utils but $SLAPD or $LDAPADD is not there" >&2
  exit 1
fi
