#!/bin/bash
# Records what the reference BuildKit (docker with BuildKit) makes of each case folder given:
#   expected.fs   the normalized listing (normalize.py) of the image's filesystem, as a difference
#                 from the base image: lines that are new or changed, and "- PATH" for base paths
#                 that are gone (so the specs do not depend on the base image's exact bytes)
#   expected.cfg  the config fields a Dockerfile sets (config.py)
#   expected.layers  with a `check-layers` file in the case: every layer's entries (type, mode,
#                 owner, name; no times), one line each, a layer of more than 100 entries as a
#                 count (the base), so what each step's layer holds and how many there are is checked;
#                 a number N in check-layers leaves layers below N out of the comparison (the spec
#                 base has no /dev, /proc and /sys, so the first RUN on it also makes those)
# A case folder is the build context (the format compare.sh documents: Dockerfile, prepare,
# build-args, target, pre/ with pre/tag), plus `secrets`: lines `id=ID,src=FILE` (FILE relative
# to the case), and `full-listing` (an empty marker: expected.fs is the whole listing, for images
# not built on the base, e.g. FROM scratch). A failing build writes its message to expected.err instead.
# Usage: generate.sh ORACLE_DIR CASE...   (ORACLE_DIR holds normalize.py and config.py)
set -u
oracle=$1; shift
base=localhost/busybox:test
listing() { local cid; cid=$(docker create "$1" true) && docker export "$cid" | python3 "$oracle/normalize.py"; docker rm -f "$cid" >/dev/null; }
difference() { # base listing, image listing -> expected.fs lines
  python3 - "$1" "$2" <<'PY'
import sys
base = set(open(sys.argv[1]).read().splitlines()); img = open(sys.argv[2]).read().splitlines()
paths = {line.split(' ')[0] for line in img}
out = [l for l in img if l not in base] + ['- ' + l.split(' ')[0] for l in base if l.split(' ')[0] not in paths]
print('\n'.join(sorted(out)))
PY
}
layer_entries() { # docker save on stdin -> expected.layers lines
  python3 -c '
import json, sys, tarfile, io
outer = tarfile.open(fileobj=io.BytesIO(sys.stdin.buffer.read()))
manifest = json.load(outer.extractfile("manifest.json"))[0]
kinds = {tarfile.DIRTYPE: "d", tarfile.REGTYPE: "f", tarfile.AREGTYPE: "f", tarfile.SYMTYPE: "l", tarfile.LNKTYPE: "h", tarfile.CHRTYPE: "c", tarfile.BLKTYPE: "b", tarfile.FIFOTYPE: "p"}
for index, name in enumerate(manifest["Layers"]):
    members = tarfile.open(fileobj=outer.extractfile(name)).getmembers()
    if len(members) > 100:
        print("L%d (%d entries)" % (index, len(members))); continue
    for m in members:
        path = m.name[2:] if m.name.startswith("./") else m.name
        print("L%d %s %04o %d:%d %s" % (index, kinds.get(m.type, "?"), m.mode & 0o7777, m.uid, m.gid, path.rstrip("/")))
    if not members: print("L%d (empty)" % index)
'
}
# What `docker create` adds to a container of an image without them: /.dockerenv (which normalize.py
# prints as "dockerenv": lstrip("./") eats its dot) and /etc for its hosts files.
runtime_free() { if grep -q '^etc/' "$1"; then grep -v '^dockerenv ' "$1"; else grep -v -e '^dockerenv ' -e '^etc d ' "$1"; fi; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
listing "$base" > "$work/base.fs"
for case in "$@"; do
  name=$(basename "$case"); ctx="$work/$name"; rm -rf "$ctx" "$ctx.pre"; cp -a "$case/." "$ctx/" 2>/dev/null || cp -a "$case" "$ctx"
  rm -f "$ctx"/expected.*; (cd "$ctx" && [ -x prepare ] && ./prepare); rm -f "$ctx/prepare"
  flags=(); [ -f "$ctx/build-args" ] && while IFS= read -r l; do [ -n "$l" ] && flags+=(--build-arg "$l"); done < "$ctx/build-args"
  [ -f "$ctx/target" ] && flags+=(--target "$(cat "$ctx/target")")
  [ -f "$ctx/secrets" ] && while IFS= read -r l; do [ -n "$l" ] && flags+=(--secret "${l/src=/src=$ctx/}"); done < "$ctx/secrets"
  if [ -d "$ctx/pre" ]; then
    DOCKER_BUILDKIT=1 docker build --network none -q -t "$(cat "$ctx/pre/tag")" "$ctx/pre" >/dev/null || { echo "$name: pre build failed"; continue; }
  fi
  rm -f "$case"/expected.*
  if ! DOCKER_BUILDKIT=1 docker build --network none -q -t "compat/$name:buildkit" "${flags[@]}" "$ctx" >/dev/null 2>"$work/err"; then
    grep -v '^\s*$' "$work/err" | tail -5 > "$case/expected.err"; echo "$name: build failed (expected.err)"; continue
  fi
  listing "compat/$name:buildkit" > "$work/image.fs"
  if [ -f "$ctx/full-listing" ]; then runtime_free "$work/image.fs" > "$case/expected.fs"; else difference "$work/base.fs" "$work/image.fs" > "$case/expected.fs"; fi
  docker inspect "compat/$name:buildkit" | python3 "$oracle/config.py" > "$case/expected.cfg"
  [ -f "$ctx/check-layers" ] && docker save "compat/$name:buildkit" | layer_entries > "$case/expected.layers"
  echo "$name: recorded"
done
