#!/usr/bin/env bash
# Makes a local stand-in for the public base image the Dockerfile starts FROM, for
# machines that reach Debian's archive but no container registry: a minimal Debian of
# the same release (debootstrap --variant=minbase) with Debian's python3, python3-venv
# and ca-certificates, imported with `podman import` under the exact name of the FROM
# line. Its python3 is /usr/bin/python3 (the public image's is /usr/local/bin/python3);
# the Dockerfile works with either. The root file system is cached as a tarball under
# $IMAGE_TEST_CACHE (default /var/tmp/user-service-image-test), keyed by release.
#
# Usage: standin-base.sh PODMAN_COMMAND...   (e.g. standin-base.sh podman --runtime runc)
# Leaves an image that already has that name alone unless it is an earlier stand-in.
set -euo pipefail

BASE_IMAGE="${BASE_IMAGE:-docker.io/library/python:3.11-slim-bookworm}"
RELEASE="${RELEASE:-bookworm}"
CACHE="${IMAGE_TEST_CACHE:-/var/tmp/user-service-image-test}"
STANDIN_LABEL="user-service.standin-base"
podman=("$@")
[ ${#podman[@]} -gt 0 ] || podman=(podman)

if "${podman[@]}" image exists "$BASE_IMAGE"; then
    label=$("${podman[@]}" image inspect --format "{{index .Labels \"$STANDIN_LABEL\"}}" \
        "$BASE_IMAGE" 2>/dev/null || true)
    if [ -z "$label" ] || [ "$label" = "<no value>" ]; then
        echo "base image: $BASE_IMAGE is already here (not a stand-in): using it"
        exit 0
    fi
    echo "base image: using the stand-in for $BASE_IMAGE imported earlier ($label)"
    exit 0
fi

# The mirror this machine's apt uses, so the stand-in comes from where the host's
# packages come from (a proxy in front of it, if any, is honoured through the environment).
mirror="${DEBIAN_MIRROR:-}"
if [ -z "$mirror" ]; then
    mirror=$(grep -hs -m1 -E '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' \
        | grep -v security | head -n 1 || true)
fi
if [ -z "$mirror" ]; then
    mirror=$(grep -hs -E '^deb ' /etc/apt/sources.list | awk '{print $2}' | head -n 1 || true)
fi
mirror="${mirror:-http://deb.debian.org/debian}"

mkdir -p "$CACHE"
tarball="$CACHE/$RELEASE-python3-minbase.tar"
(
    flock -w 900 9 || { echo "could not lock $CACHE/standin.lock" >&2; exit 1; }
    if [ ! -s "$tarball" ]; then
        echo "base image: no registry here; building a stand-in for $BASE_IMAGE:"
        echo "  debootstrap --variant=minbase $RELEASE from $mirror + Debian's python3"
        root=$(mktemp -d "$CACHE/rootfs.XXXXXX")
        trap 'rm -rf "$root"' EXIT
        debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
            "$RELEASE" "$root" "$mirror" > "$CACHE/debootstrap.log" 2>&1 \
            || { tail -n 20 "$CACHE/debootstrap.log" >&2; exit 1; }
        # What the slim image leaves out too: package caches, lists, docs, locales.
        rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* \
            "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* \
            "$root"/usr/share/locale/* "$root"/var/log/* "$root"/var/cache/debconf/*-old
        find "$root"/usr/lib/python3* -name __pycache__ -prune -exec rm -rf {} +
        tar --numeric-owner -C "$root" -cf "$tarball.tmp" .
        mv "$tarball.tmp" "$tarball"
    else
        echo "base image: stand-in for $BASE_IMAGE from the cached $tarball"
    fi
    "${podman[@]}" import \
        --change "LABEL $STANDIN_LABEL=debootstrap-$RELEASE-minbase" \
        --change "ENV LANG=C.UTF-8" \
        --change 'CMD ["python3"]' \
        --message "stand-in for $BASE_IMAGE: Debian $RELEASE minbase + python3" \
        "$tarball" "$BASE_IMAGE" > /dev/null 2>&1
    echo "base image: imported the stand-in as $BASE_IMAGE" \
         "(Debian's python3, not the public image's)"
) 9> "$CACHE/standin.lock"
