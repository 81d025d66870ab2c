#!/usr/bin/env bash
# Builds pgvector for the local PostgreSQL from Debian's own source package (trixie), against
# postgresql-server-dev-<major>. Idempotent: does nothing when the extension is already installed.
set -euo pipefail
major=$(pg_config --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')
sharedir=$(pg_config --sharedir)
if [ -f "$sharedir/extension/vector.control" ]; then
  echo "pgvector already installed for PostgreSQL $major"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
sources=/etc/apt/sources.list.d/debian.sources
mirror=$(awk '/^URIs:/ {print $2; exit}' "$sources" 2>/dev/null || true)
mirror=${mirror:-http://deb.debian.org/debian}
cat > /etc/apt/sources.list.d/cairn-trixie-src.sources <<SRC
Types: deb-src
URIs: $mirror
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
apt-get update -qq
apt-get install -y -qq --no-install-recommends "postgresql-server-dev-$major" build-essential dpkg-dev >/dev/null
work=$(mktemp -d)
cd "$work"
apt-get source -qq --download-only pgvector
dpkg-source -x --no-check ./pgvector_*.dsc src >/dev/null
cd src
make -s PG_CONFIG=/usr/bin/pg_config USE_PGXS=1 OPTFLAGS="" >/dev/null
make -s PG_CONFIG=/usr/bin/pg_config USE_PGXS=1 install >/dev/null
echo "pgvector $(grep default_version vector.control | sed -E "s/.*'(.*)'.*/\1/") installed for PostgreSQL $major"
rm -rf "$work" /etc/apt/sources.list.d/cairn-trixie-src.sources
