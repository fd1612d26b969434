// Docker's default capability set (containerd pkg/oci/spec.go, SECURITY.md E2). Everything else,
// above all CAP_SYS_ADMIN (mount, unshare, pivot_root), CAP_SYS_PTRACE, CAP_SYS_MODULE and
// CAP_SYS_RAWIO, is dropped from the bounding set, so no process in the sandbox can ever regain it,
// not even a setuid-root binary. A root step gets exactly this set; a non-root uid gets none
// (the kernel clears the permitted set on setuid), with the bounding set still capped.
export const DEFAULT_CAPABILITIES = [
  'chown',
  'dac_override',
  'fsetid',
  'fowner',
  'mknod',
  'net_raw',
  'setgid',
  'setuid',
  'setfcap',
  'setpcap',
  'net_bind_service',
  'sys_chroot',
  'kill',
  'audit_write',
] as const;

/** `CapBnd` of a sandboxed process as /proc/self/status prints it: BuildKit asserts this value. */
export const DEFAULT_CAPABILITY_MASK = '00000000a80425fb';

/**
 * setpriv(1) arguments that cap the bounding set and clear the inheritable set (so nothing can become
 * ambient). Supported by util-linux 2.38 and later.
 */
export function capabilityArgs(): string[] {
  const bounding = ['-all', ...DEFAULT_CAPABILITIES.map((cap) => `+${cap}`)].join(',');
  return [`--bounding-set=${bounding}`, '--inh-caps=-all'];
}
