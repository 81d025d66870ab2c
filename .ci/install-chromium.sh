#!/bin/sh
# Installs Debian's Chromium, the browser the console's end-to-end tests drive with playwright-core
# (executablePath /usr/bin/chromium). Never a downloaded browser. Idempotent.
set -eu

if dpkg-query -W -f='${Status}' chromium 2>/dev/null | grep -q "install ok installed"; then
  echo "chromium already installed: $(dpkg-query -W -f='${Version}' chromium)"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core
echo "chromium installed: $(dpkg-query -W -f='${Version}' chromium)"
