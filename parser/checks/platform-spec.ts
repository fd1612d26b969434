// Just enough of containerd's platform parsing (platforms.Parse) to tell the OS and architecture a
// constant `FROM --platform=` value names, for the FromPlatformFlagConstDisallowed check.

const KNOWN_OS: ReadonlySet<string> = new Set([
  'aix', 'android', 'darwin', 'dragonfly', 'freebsd', 'hurd', 'illumos', 'ios', 'js', 'linux', 'nacl',
  'netbsd', 'openbsd', 'plan9', 'solaris', 'windows', 'zos', 'wasip1',
]);
const KNOWN_ARCH: ReadonlySet<string> = new Set([
  '386', 'amd64', 'amd64p32', 'arm', 'armbe', 'arm64', 'arm64be', 'ppc64', 'ppc64le', 'loong64', 'mips', 'mipsle',
  'mips64', 'mips64le', 'mips64p32', 'mips64p32le', 'ppc', 'riscv', 'riscv64', 's390', 's390x', 'sparc', 'sparc64', 'wasm',
]);
const ARCH_ALIASES: ReadonlyMap<string, string> = new Map([
  ['i386', '386'], ['x86_64', 'amd64'], ['x86-64', 'amd64'], ['aarch64', 'arm64'], ['armhf', 'arm'], ['armel', 'arm'],
]);
const COMPONENT = /^[A-Za-z0-9_.-]+$/;

function normalizeOs(os: string): string {
  const lower = os.toLowerCase();
  return lower === 'macos' ? 'darwin' : lower;
}

function normalizeArch(arch: string): string {
  const lower = arch.toLowerCase();
  return ARCH_ALIASES.get(lower) ?? lower;
}

/**
 * The OS and architecture of a platform string, or undefined when containerd would refuse it.
 * A lone architecture means Linux (the host OS here), a lone OS the host architecture.
 */
export function parsePlatformSpec(text: string, host = { os: 'linux', architecture: 'amd64' }): { os: string; architecture: string } | undefined {
  const parts = text.split('/');
  if (parts.length > 3 || !parts.every((part) => COMPONENT.test(part))) return undefined;
  if (parts.length === 1) {
    const only = parts[0]!;
    if (KNOWN_OS.has(normalizeOs(only))) return { os: normalizeOs(only), architecture: host.architecture };
    if (KNOWN_ARCH.has(normalizeArch(only))) return { os: host.os, architecture: normalizeArch(only) };
    return undefined;
  }
  return { os: normalizeOs(parts[0]!), architecture: normalizeArch(parts[1]!) };
}
