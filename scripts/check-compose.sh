#!/usr/bin/env bash
# Validates docker-compose.yml offline with Debian's docker-compose 1.29 (no Docker engine needed).
# Installs the package when missing (needs root and apt). Exits non-zero when the file is invalid.
set -euo pipefail

cd "$(dirname "$0")/.."

if ! command -v docker-compose >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "check-compose: docker-compose is missing; run as root to install it (apt-get install docker-compose)" >&2
    exit 1
  fi
  echo "check-compose: installing docker-compose (Debian package)" >&2
  export DEBIAN_FRONTEND=noninteractive
  log="$(mktemp)"
  if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends docker-compose; } >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    exit 1
  fi
  rm -f "$log"
fi

# Dummy values for the variables the file requires (${VAR:?...}); never used to run anything.
export CREDENCE_ADMIN_KEY="check-compose-dummy-admin-key-0123456789abcdef"
export CREDENCE_KEY_ENCRYPTION_KEY="AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
export POSTGRES_PASSWORD="check-compose-dummy-password"
export SMTP_URL="smtp://check-compose.invalid:25"

# Check every profile's services too (the one-off migrate service sits in the "tools" profile).
docker-compose -f docker-compose.yml config -q
docker-compose -f docker-compose.yml --profile tools config -q

# The secrets really are required: without each one, config must fail and name it.
for var in CREDENCE_ADMIN_KEY CREDENCE_KEY_ENCRYPTION_KEY POSTGRES_PASSWORD SMTP_URL; do
  if out="$(env -u "$var" docker-compose -f docker-compose.yml config -q 2>&1)"; then
    echo "check-compose: docker-compose.yml accepts a missing $var" >&2
    exit 1
  fi
  if ! grep -q "$var" <<<"$out"; then
    echo "check-compose: without $var, config failed for another reason:" >&2
    echo "$out" >&2
    exit 1
  fi
done

echo "check-compose: docker-compose.yml is valid ($(docker-compose version --short))"
