#!/usr/bin/env bash
# Install the Debian packages the portal needs, only those that are missing.
#   scripts/install-system-packages.sh run    -> what `make run` needs (WeasyPrint, gettext)
#   scripts/install-system-packages.sh test   -> plus PostgreSQL/Redis servers, Chromium, poppler
#   scripts/install-system-packages.sh bench  -> plus wrk (the load generator of `make bench`)
set -euo pipefail

profile="${1:-run}"
packages=(gettext libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu fonts-liberation)
if [ "$profile" = "test" ] || [ "$profile" = "bench" ]; then
  packages+=(postgresql redis-server chromium poppler-utils)
fi
if [ "$profile" = "bench" ]; then
  packages+=(wrk)
fi

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
    echo "Missing Debian packages: ${missing[*]}; install them as root (apt-get install ${missing[*]})." >&2
    exit 1
  fi
else
  SUDO=""
fi
echo "Installing Debian packages: ${missing[*]}"
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
