// Base images for `tsbuild build`: `FROM` (and COPY --from) images that are not in the store are
// pulled before the build, and `--pull` refreshes all of them, as docker build does. The build
// itself stays offline; this runs first, from the same plan the build will make.
import type { Platform } from '../../executor/image-config.js';
import { planBuild } from '../../parser/plan.js';
import { parseDockerfile } from '../../parser/stages.js';
import type { RegistryOptions } from '../registry/client.js';
import type { ImageStore } from '../store/image-store.js';

export interface BasePullOptions {
  readonly text: string;
  readonly file: string;
  readonly buildArgs: ReadonlyMap<string, string>;
  readonly platform: Platform;
  readonly target?: string;
  /** `--pull`: fetch every base image, even those in the store; a failure fails the build. */
  readonly always: boolean;
  readonly registry: RegistryOptions;
  /** Progress lines (`pulling busybox`) and why an automatic pull did not work. */
  readonly say: (line: string) => void;
}

/** The images the planned stages start from or copy from, each once, in plan order. */
export function baseImageRefs(options: Pick<BasePullOptions, 'text' | 'file' | 'buildArgs' | 'platform' | 'target'>): string[] {
  const parsed = parseDockerfile(options.text, { file: options.file });
  const plan = planBuild(parsed, { buildArgs: options.buildArgs, platform: options.platform, file: options.file, ...(options.target ? { target: options.target } : {}) });
  const refs = new Set<string>();
  for (const stage of plan.stages) {
    if (stage.base.kind === 'image') refs.add(stage.base.ref);
    for (const source of stage.imageSources) refs.add(source);
  }
  return [...refs];
}

/**
 * Pulls what the build needs. Without `always`, only missing images, and a failed pull is only
 * reported: the build then stops with its own message saying how to get the image.
 */
export async function pullBaseImages(store: ImageStore, options: BasePullOptions): Promise<void> {
  for (const ref of baseImageRefs(options)) {
    if (!options.always && (await store.match(ref)) !== undefined) continue;
    options.say(`pulling ${ref}`);
    try {
      // Loaded only when an image is missing: a build from local images never loads the registry client.
      const { pullImage } = await import('../registry/pull.js');
      await pullImage(store, ref, { ...options.registry, platform: options.platform });
    } catch (error) {
      if (options.always) throw error;
      options.say(`could not pull ${ref}: ${(error as Error).message}`);
    }
  }
}
