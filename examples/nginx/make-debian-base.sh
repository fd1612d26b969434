#!/usr/bin/env bash
# Makes a Debian base image with debootstrap and imports it into tsbuild's store, so the walkthrough
# needs no registry: `FROM debian:bookworm` then finds it locally. Needs root (debootstrap creates
# files owned by root and device nodes) and the debootstrap package.
#
#   sudo examples/nginx/make-debian-base.sh [IMAGE_NAME]     (default: debian:bookworm)
#
# The root filesystem tar is kept in a cache folder, so running this again only re-imports it.
# Environment: DEBIAN_RELEASE (bookworm), DEBIAN_MIRROR (http://deb.debian.org/debian),
# TSBUILD_DEBIAN_CACHE (the cache folder), TSBUILD (how to call tsbuild; default: npx tsbuild).
set -euo pipefail

release=${DEBIAN_RELEASE:-bookworm}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
name=${1:-debian:$release}
cache=${TSBUILD_DEBIAN_CACHE:-${TMPDIR:-/tmp}/tsbuild-debian-cache-$(id -u)}
arch=$(dpkg --print-architecture 2>/dev/null || uname -m)
tar="$cache/$release-minbase-$arch.tar"
read -r -a tsbuild <<< "${TSBUILD:-npx tsbuild}"

if [ ! -s "$tar" ]; then
  command -v debootstrap >/dev/null || { echo "make-debian-base: install debootstrap first (apt-get install debootstrap)" >&2; exit 1; }
  mkdir -p "$cache"
  work=$(mktemp -d "$cache/rootfs.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  echo "make-debian-base: debootstrap --variant=minbase $release (a minute or two)" >&2
  debootstrap --variant=minbase "$release" "$work/rootfs" "$mirror" >&2
  # What an image should not carry: downloaded packages and lists, the host's resolver and name
  # (the sandbox provides its own), and device nodes (the sandbox makes /dev).
  rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"* \
    "$work/rootfs/etc/resolv.conf" "$work/rootfs/etc/hostname" "$work/rootfs/dev/"*
  tar -C "$work/rootfs" --numeric-owner -cf "$tar.partial" . && mv "$tar.partial" "$tar"
fi

"${tsbuild[@]}" import -c 'CMD ["bash"]' -m "debootstrap --variant=minbase $release" "$tar" "$name"
