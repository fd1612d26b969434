// The platform builds run for. tsbuild runs steps natively, so the only platform it can build is
// the host's; `--platform` and `FROM --platform` naming another one are refused with a clear error.
import { formatPlatform } from '../parser/plan-args.js';
import { UsageError } from './errors.js';
import type { Platform } from '../executor/image-config.js';

/** Node's process.arch in OCI's words (`x64` → `amd64`). */
const ARCHITECTURES: Readonly<Record<string, Platform>> = {
  x64: { os: 'linux', architecture: 'amd64' },
  arm64: { os: 'linux', architecture: 'arm64', variant: 'v8' },
  arm: { os: 'linux', architecture: 'arm', variant: 'v7' },
  ia32: { os: 'linux', architecture: '386' },
  ppc64: { os: 'linux', architecture: 'ppc64le' },
  s390x: { os: 'linux', architecture: 's390x' },
  riscv64: { os: 'linux', architecture: 'riscv64' },
};

export function hostPlatform(): Platform {
  const platform = ARCHITECTURES[process.arch];
  if (!platform) throw new UsageError(`unsupported host architecture ${process.arch}`);
  return platform;
}

/** `linux/amd64`, `linux/arm64/v8`: the plan's spelling, shared so messages agree. */
export { formatPlatform } from '../parser/plan-args.js';

/** Accepts the host platform in any of its spellings (`linux/amd64`, `amd64`, `linux/arm64/v8`); refuses others. */
export function requireHostPlatform(text: string, host: Platform = hostPlatform()): Platform {
  const parts = text.toLowerCase().split('/');
  const [os, architecture, variant] = parts.length === 1 ? ['linux', parts[0], undefined] : parts;
  const sameArch = architecture === host.architecture || (architecture === 'x86_64' && host.architecture === 'amd64') || (architecture === 'aarch64' && host.architecture === 'arm64');
  if (os === host.os && sameArch && (variant === undefined || variant === host.variant)) return host;
  throw new UsageError(`platform "${text}" is not supported: tsbuild runs steps natively and can only build for the host platform ${formatPlatform(host)}`);
}
