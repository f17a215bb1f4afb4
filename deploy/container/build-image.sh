#!/bin/sh
# Builds the MentorHub image, tagged $IMAGE (default mentorhub:local), with the builder this
# machine has: Docker when its daemon answers; otherwise buildah, from the base image in local
# storage, pulled from the registry, or (when no registry answers) made from Debian packages
# by make-local-base.sh. BUILDER=buildah skips Docker even where its daemon answers (the
# infrastructure tests run the image with podman, which sees buildah's images, not Docker's).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
IMAGE=${IMAGE:-mentorhub:local}

if [ "${BUILDER:-}" != buildah ] && command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
  exec docker build -t "$IMAGE" "$ROOT"
fi

CONTAINERS_CONF=${CONTAINERS_CONF:-$HERE/containers.conf}
export CONTAINERS_CONF
BASE=$(sed -n 's/^FROM[[:space:]]\{1,\}\([^[:space:]]*\).*/\1/p' "$ROOT/Dockerfile" | head -n1)
case "$BASE" in
  */*) ;;
  *) BASE=docker.io/library/$BASE ;;
esac
if ! podman image exists "$BASE"; then
  timeout 120 podman pull "$BASE" || sh "$HERE/make-local-base.sh"
fi

# pip in the build trusts the CA certificates this host trusts (there may be a TLS-inspecting
# proxy on the way to PyPI); the file is mounted for the build only, not kept in the image.
PIP_CONFIG=$(mktemp -d)
trap 'rm -rf "$PIP_CONFIG"' EXIT
mounts=""
if [ -r /etc/ssl/certs/ca-certificates.crt ]; then
  cp /etc/ssl/certs/ca-certificates.crt "$PIP_CONFIG/ca-certificates.crt"
  printf '[global]\ncert = /etc/xdg/pip/ca-certificates.crt\n' > "$PIP_CONFIG/pip.conf"
  chmod -R a+rX "$PIP_CONFIG"
  mounts="--volume $PIP_CONFIG:/etc/xdg/pip:ro"
fi
# --format docker keeps HEALTHCHECK (the OCI format has no field for it);
# --layers reuses the dependency layer while requirements.txt is unchanged.
# shellcheck disable=SC2086  # $mounts is empty or one option and its value
buildah bud --format docker --layers --isolation chroot --network host $mounts \
  --tag "$IMAGE" "$ROOT"
