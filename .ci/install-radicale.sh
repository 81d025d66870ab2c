#!/bin/sh
# Installs Radicale (Debian package `radicale`), the real CalDAV server the CalDAV connector tests run against.
# Idempotent: does nothing when the package is already installed. The tests start their own Radicale
# (test/support/radicale.ts) on a free port; the system service the package ships is not used.
set -eu

if dpkg-query -W -f='${Status}' radicale 2>/dev/null | grep -q "install ok installed"; then
  echo "radicale already installed: $(dpkg-query -W -f='${Version}' radicale)"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends radicale
echo "radicale installed: $(dpkg-query -W -f='${Version}' radicale)"
