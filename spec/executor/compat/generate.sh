#!/bin/sh
# Regenerates CASE/expected.fs with the reference BuildKit (docker): the listing of the paths in
# CASE/touched, as normalize.py prints them. Usage: generate.sh NORMALIZE_PY CASE...
set -e
normalize=$1; shift
for case in "$@"; do
  tag=tsbuild-compat:$(basename "$case")
  DOCKER_BUILDKIT=1 docker build --network none -q -t "$tag" -f "$case/Dockerfile" "$case/context" >/dev/null
  id=$(docker create "$tag" true)
  pattern=$(sed 's|.*|^&( \|/)|' "$case/touched" | paste -sd'|')
  docker export "$id" | python3 "$normalize" | grep -E "$pattern" > "$case/expected.fs" || true
  docker rm "$id" >/dev/null
done
