#!/usr/bin/env bash
# Installs everything tsbuild's tests need on a fresh Debian/Ubuntu machine, then the npm packages.
# Safe to run again. The Debian packages are only for the tests: a static busybox for test base
# images, a real registry server, and real OCI consumers (skopeo, umoci) to check our output.
set -euo pipefail
cd "$(dirname "$0")/.."

# busybox-static: test base images; util-linux (unshare, setpriv, script), bash, perl-base,
# iproute2 and uidmap: the sandbox and its rootless specs; git, xz-utils and bzip2: ADD sources;
# docker-registry and openssl: a real registry (plain, and TLS with a generated CA) for the registry
# specs; skopeo and umoci: real OCI consumers that check the images tsbuild writes; debootstrap:
# the Debian base image of the nginx walkthrough (examples/nginx).
debian_packages=(busybox-static util-linux tar bash perl-base iproute2 uidmap git xz-utils bzip2 docker-registry openssl skopeo umoci debootstrap)

missing=()
for pkg in "${debian_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
  echo "setup: installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

npm ci
