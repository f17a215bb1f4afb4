#!/bin/sh
# Installs the Debian packages `make test-infra` runs (nginx, PgBouncer, and buildah, podman,
# runc and debootstrap to build and run the image without a Docker daemon), when one is missing.
set -eu
PACKAGES="nginx pgbouncer buildah podman runc debootstrap"
missing=""
for package in $PACKAGES; do
  if ! dpkg-query -W -f '${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $package"
  fi
done
[ -n "$missing" ] || exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "make test-infra needs these Debian packages; install them as root:$missing" >&2
  exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086  # one word per package
apt-get install -y -q --no-install-recommends $missing
