// Locates the shared conformance corpus (BuildKit and moby test data) the specs run against.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root: specs run compiled from dist/spec/support, three levels below it. */
export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * The corpus lives beside the project (`../shared/conformance`); TSBUILD_CONFORMANCE_DIR overrides.
 * A missing corpus fails loudly: skipping it would let conformance regress unnoticed.
 */
export const conformanceDir = process.env.TSBUILD_CONFORMANCE_DIR ?? join(projectRoot, '..', 'shared', 'conformance');

export function conformancePath(...parts: string[]): string {
  const path = join(conformanceDir, ...parts);
  if (!existsSync(path)) {
    throw new Error(`conformance data not found at ${path} (set TSBUILD_CONFORMANCE_DIR)`);
  }
  return path;
}

export function readConformanceJson<T = unknown>(...parts: string[]): T {
  return JSON.parse(readFileSync(conformancePath(...parts), 'utf8')) as T;
}
