// Picks the manifest for a platform out of a manifest list or OCI index, the way containerd's
// default matcher does: same os and architecture; a variant, when asked for, must match, and
// arm64 accepts a missing variant as v8.
import type { Platform } from '../../executor/image-config.js';
import type { Descriptor } from '../image/manifest.js';
import { formatPlatform } from '../platform.js';
import { RegistryError } from './errors.js';

export interface IndexDocument {
  readonly manifests: readonly Descriptor[];
}

export function selectPlatform(index: IndexDocument, platform: Platform, where: string): Descriptor {
  const candidates = index.manifests.filter((descriptor) => descriptor.platform !== undefined && matches(descriptor.platform, platform));
  // An exact variant beats an implied one (arm64 with and without `v8`).
  const exact = candidates.find((descriptor) => (descriptor.platform?.variant ?? '') === (platform.variant ?? ''));
  const chosen = exact ?? candidates[0];
  if (chosen === undefined) {
    const offered = index.manifests.map((descriptor) => (descriptor.platform ? formatPlatform(descriptor.platform) : 'unknown')).join(', ');
    throw new RegistryError('not-found', `${where}: no manifest for platform ${formatPlatform(platform)} (the index offers ${offered || 'nothing'})`);
  }
  return chosen;
}

function matches(offered: Platform, wanted: Platform): boolean {
  if (offered.os !== wanted.os || offered.architecture !== wanted.architecture) return false;
  const normalise = (p: Platform): string => p.variant || (p.architecture === 'arm64' ? 'v8' : '');
  return !wanted.variant || normalise(offered) === normalise(wanted);
}
