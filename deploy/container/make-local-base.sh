#!/bin/sh
# Makes a local stand-in for the Dockerfile's base image, python:3.11-slim-bookworm, from Debian
# bookworm packages, and stores it in podman/buildah storage under the name the Dockerfile uses.
# For hosts that reach Debian's and PyPI's mirrors but no container registry.
#
# It is like the official image where the Dockerfile relies on it: Debian bookworm with Python
# 3.11, `python`, `python3` and `pip` on PATH, pip installing into /usr/local, CA certificates and
# time zones. It is not a byte-for-byte copy: Python is Debian's python3.11 in /usr/bin.
#
# Usage (root): sh deploy/container/make-local-base.sh [work-dir]
# Needs: debootstrap, podman, runc (deploy/container/install-tools.sh installs them).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
CONTAINERS_CONF=${CONTAINERS_CONF:-$HERE/containers.conf}
export CONTAINERS_CONF
BASE=$(sed -n 's/^FROM[[:space:]]\{1,\}\([^[:space:]]*\).*/\1/p' "$HERE/../../Dockerfile" | head -n1)
case "$BASE" in
  */*) NAME=$BASE ;;
  *) NAME=docker.io/library/$BASE ;;
esac
WORK=${1:-/var/tmp/mentorhub-base}
ROOTFS=$WORK/rootfs
# The mirror apt already uses on this host (deb822 sources first, then the classic list).
MIRROR=$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1)
if [ -z "$MIRROR" ]; then
  MIRROR=$(sed -n 's/^deb[[:space:]]\{1,\}\([^[:space:]]*\).*/\1/p' /etc/apt/sources.list 2>/dev/null | head -n1)
fi
MIRROR=${MIRROR:-http://deb.debian.org/debian}

echo "making $NAME from Debian bookworm ($MIRROR) in $ROOTFS"
mkdir -p "$WORK/cache"
rm -rf "$ROOTFS"
# python3-venv brings the pip wheel Debian ships; Debian's python3-pip is left out because it
# installs pip where a later `pip install --upgrade pip` cannot remove it.
debootstrap --variant=minbase --cache-dir="$WORK/cache" \
  --include=python3,python3-venv,ca-certificates,netbase,tzdata \
  bookworm "$ROOTFS" "$MIRROR"

env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
  chroot "$ROOTFS" /bin/sh -eu -c '
    # The official image installs packages with pip system-wide; Debian marks its Python as
    # externally managed, which would refuse that.
    rm -f /usr/lib/python3.11/EXTERNALLY-MANAGED
    wheel=$(ls /usr/share/python-wheels/pip-*.whl)
    python3 "$wheel/pip" install --quiet --no-index --no-cache-dir --disable-pip-version-check "$wheel"
    ln -sf /usr/bin/python3 /usr/local/bin/python
    ln -sf /usr/bin/python3 /usr/local/bin/python3
    apt-get clean
    rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /root/.cache
  '
: > "$ROOTFS/etc/resolv.conf"

podman rmi --force "$NAME" >/dev/null 2>&1 || true
tar --numeric-owner -C "$ROOTFS" -cf - . | podman import \
  --change 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'CMD ["python3"]' \
  --message "local stand-in for $BASE (debootstrap bookworm, Debian python3.11)" \
  - "$NAME"
rm -rf "$ROOTFS"
podman run --rm --network host "$NAME" python -c "import ssl, sqlite3, zoneinfo; import pip; print('base ok')"
