// The two host shell scripts that assemble the sandbox. They run as (namespace) root with the host's
// tools; every value reaches them as an environment variable or a positional argument and is only
// ever expanded inside double quotes, never interpolated into script text.
//
// Process tree (U = util-linux unshare):
//   node → setpriv --pdeathsig=KILL → U1 (new mount, uts, ipc, [net], [user] and pid namespace ns1)
//     └ OUTER (pid 1 of ns1): cgroup, hostname, lo; mounts the staging root T (mount-plan.ts),
//       pivot_root into it (the host's root stays at /.old until INNER detaches it), mounts /dev,
//       /sys, /etc files and the caller's mounts inside the rootfs, creates the cwd
//        └ U2 (new pid namespace ns2)
//           └ INNER (pid 1 of ns2): mounts /proc for ns2 and masks it, detaches /.old and T's own
//              /proc, closes stray fds, then exec setpriv (gid, groups, caps) → env -i (the step's
//              env) → U --root --wd --setuid → argv
// Caller mounts are staged in T before pivot_root and moved onto their targets after it, each one
// only after `cd -P` + `pwd -P` proved the target directory is still the one resolved in node (a
// shared cache mount could change under us); a move always lands inside T, never on the host.
// The step's process ends up as pid 1 of ns2 and sees only its own processes. OUTER never changes
// credentials, so the parent-death signal set by U1 stays armed on it (setgid/setuid clear it on
// INNER): if node dies or kills U1, OUTER dies, and the kernel kills everything in ns1 and ns2.
//
// Status protocol on fd 3: setup errors are written there (tool stderr too), and INNER writes
// `exec` just before handing over; fd 3 and the saved stderr (fd 4) are closed before that.
//
// The rootfs is mounted at /<random name> in T. The last host binary (U --root) runs with the
// step's environment before it chroots, so LD_PRELOAD and friends must not be able to name a file
// the image controls: nothing under a guessable path in T is writable by or derived from the image.

/** OUTER: runs in the host's mount table first, then inside T after pivot_root. */
export const OUTER_SCRIPT = String.raw`
exec 4>&2 2>&3
fail() { printf 'tsbuild sandbox setup: %s\n' "$*" >&3; exit 125; }
verify_dir() { cd -P -- "$1" && [ "$(pwd -P)" = "$1" ] || fail "mount point $1 resolved outside the rootfs"; }
user_mount() {
  verify_dir "$2"
  if [ -n "$3" ]; then
    "$TSB_MKDIR" -p -- "$3" && cd -P -- "./$3" && [ "$(pwd -P)" = "$2/$3" ] || fail "cannot create mount point $2/$3"
  fi
  target=.
  if [ -n "$4" ]; then
    [ -e "./$4" ] || (set -C; : > "./$4") || fail "cannot create mount point $4"
    [ -f "./$4" ] && [ ! -h "./$4" ] || fail "mount point $4 is not a regular file"
    target=./$4
  fi
  case $1 in
    bind) "$TSB_MOUNT" --no-mtab --no-canonicalize --move "$5" "$target" ;;
    tmpfs) "$TSB_MOUNT" --no-mtab --no-canonicalize -t tmpfs -o "$5" tmpfs "$target" ;;
    *) false ;;
  esac || fail "cannot mount $1 on $2"
  cd /
}
umask 022
cd / || fail 'cannot enter /'
# Moving a process between cgroups waits for an RCU grace period (often 10+ ms), so this shell
# (pid 1 here) is moved by background writers while the mounts go on, and waited for before the
# step's first process is forked: everything of the step is counted, only setup tools are not.
# The files are opened here, before pivot_root changes what their paths mean.
join1=; join2=
if [ -n "$TSB_CGROUP_1" ]; then
  exec 5>"$TSB_CGROUP_1" || fail "cannot open $TSB_CGROUP_1"
  (echo 1 >&5) & join1=$!
  exec 5>&-
fi
if [ -n "$TSB_CGROUP_2" ]; then
  exec 5>"$TSB_CGROUP_2" || fail "cannot open $TSB_CGROUP_2"
  (echo 1 >&5) & join2=$!
  exec 5>&-
fi
if [ -n "$TSB_HOSTNAME_TOOL" ]; then
  "$TSB_HOSTNAME_TOOL" "$TSB_HOSTNAME" || fail 'cannot set the hostname'
else
  printf '%s' "$TSB_HOSTNAME" > /proc/sys/kernel/hostname || fail 'cannot set the hostname'
fi
if [ -n "$TSB_IP" ]; then "$TSB_IP" link set lo up || fail 'cannot bring up lo'; fi
"$TSB_MOUNT" --all --fstab "$TSB_T/.s/fstab-pre" || fail 'cannot prepare the staging root'
cd -P -- "$TSB_T" || fail 'cannot enter the staging root'
"$TSB_PIVOT" . .old || fail 'pivot_root failed'
cd / || fail 'cannot enter the staging root'
"$TSB_MOUNT" --all --fstab /.s/fstab-dev || fail 'cannot mount /dev and /sys'
"$TSB_CP" -a /.s/dev/. "$TSB_R/dev/" || fail 'cannot populate /dev'
"$TSB_MOUNT" --all --fstab /.s/fstab-late || fail 'cannot mount devices and /etc files'
n=$1; shift
while [ "$n" -gt 0 ]; do user_mount "$1" "$2" "$3" "$4" "$5"; shift 5; n=$((n - 1)); done
base=$1; n=$2; shift 2
if [ "$n" -gt 0 ]; then
  verify_dir "$base"
  while [ "$n" -gt 0 ]; do
    "$TSB_MKDIR" -- "./$1" && "$TSB_CHOWN" -h -- "$TSB_OWNER" "./$1" && cd -P -- "./$1" || fail 'cannot create the working directory'
    shift; n=$((n - 1))
  done
  cd /
fi
if [ -n "$TSB_REMOUNT_RO" ]; then "$TSB_MOUNT" -o "$TSB_REMOUNT_RO" "$TSB_R" || fail 'cannot make the rootfs read-only'; fi
if [ -n "$join1" ]; then wait "$join1" || fail "cannot join $TSB_CGROUP_1"; fi
if [ -n "$join2" ]; then wait "$join2" || fail "cannot join $TSB_CGROUP_2"; fi
"$TSB_UNSHARE" --pid --fork --kill-child -- "$TSB_SHELL" -c "$TSB_INNER" tsbuild-pid1 "$@" 2>&4 4>&-
exit $?
`;

/** INNER: pid 1 of the step's pid namespace until it execs the step. */
/**
 * The end of INNER (and of enter-sandbox.ts's script): the TSB_ENV_<n> entries spliced in after the
 * first $1 words of "$@", the exec marker written on fd 3, then the final command.
 */
export const SPLICE_ENV_AND_EXEC = String.raw`
prefix=$1; shift
count=$#; i=0
for arg in "$@"; do
  if [ "$i" -eq "$prefix" ]; then
    j=0
    while [ "$j" -lt "$TSB_ENV_COUNT" ]; do eval "set -- \"\$@\" \"\$TSB_ENV_$j\""; j=$((j + 1)); done
  fi
  set -- "$@" "$arg"; i=$((i + 1))
done
shift "$count"
printf 'exec\n' >&3
exec 2>&4 4>&- 3>&-
exec "$@"
`;

export const INNER_SCRIPT = String.raw`
exec 4>&2 2>&3
fail() { printf 'tsbuild sandbox setup: %s\n' "$*" >&3; exit 125; }
"$TSB_MOUNT" --all --fstab /.s/fstab-proc || fail 'cannot mount /proc'
# The host's old root and staged /sys first, T's /proc last (umount needs it to find the others):
# after this, nothing of the host but /usr and the bound device nodes is left in the mount namespace.
if [ -n "$TSB_HOST_SYS" ]; then
  "$TSB_UMOUNT" -l /.old "$TSB_HOST_SYS" /proc
else
  "$TSB_UMOUNT" -l /.old /proc
fi || fail 'cannot detach the host root and the staging /proc'
cd "$TSB_R/proc/self/fd" || fail 'cannot list open file descriptors'
for fd in *; do
  case $fd in
    0|1|2|3|4) ;;
    [5-9]) eval "exec $fd>&-" ;;
    *[!0-9]*) fail "unexpected entry $fd in /proc/self/fd" ;;
    *) if [ -n "$TSB_MULTIDIGIT_FDS" ]; then eval "exec $fd>&-"; else fail "inherited file descriptor $fd is open and the host shell cannot close descriptors above 9: install bash"; fi ;;
  esac
done
cd / || fail 'cannot enter /'
# The step's KEY=VALUE entries arrive as TSB_ENV_<n> variables, not as arguments, so they never sit
# in the world-readable cmdline of these long-lived processes; they are spliced in after the
# first $1 words of the final command (right after "env -i --").
${SPLICE_ENV_AND_EXEC}`;

/** The marker INNER writes on fd 3 right before the step's program replaces it. */
export const EXEC_MARKER = 'exec';
