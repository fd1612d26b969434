// Shared pieces for the SECURITY.md end-to-end specs: a private root with busybox:test, a host
// canary that hostile input must never touch, a build() wrapper that returns the error instead of
// throwing, and a leak search over everything the root holds (gzip blobs decompressed).
import { expect } from 'chai';
import { gunzipSync } from 'node:zlib';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, type BuildOptions, type BuildResult } from '../../lib/build.js';
import { makeCanary, type Canary } from '../executor/snapshot/canary.js';
import { makeBuildFixture, type BuildFixture } from '../lib/build-fixtures.js';

export interface HostileBuild {
  readonly fixture: BuildFixture;
  readonly canary: Canary;
  /** Builds `text` on the fixture's context; resolves to the result or the error it failed with. */
  attempt(text: string, options?: Partial<BuildOptions>): Promise<BuildResult | Error>;
  dispose(): Promise<void>;
}

export async function makeHostileBuild(): Promise<HostileBuild> {
  const fixture = await makeBuildFixture();
  const canary = makeCanary();
  return {
    fixture,
    canary,
    async attempt(text, options = {}) {
      try {
        return await build({ context: fixture.context, dockerfileText: text, root: fixture.root, onWarning: () => undefined, ...options });
      } catch (error) {
        return error as Error;
      }
    },
    dispose: () => fixture.dispose(),
  };
}

/**
 * Registers mocha hooks that give a spec file one HostileBuild, and after every test check that the
 * canary is intact and its secret appears nowhere under the root. Call inside `describe`.
 */
export function useHostileBuild(): () => HostileBuild {
  let hb: HostileBuild | undefined;
  before(async () => {
    hb = await makeHostileBuild();
  });
  afterEach(() => {
    hb!.canary.assertIntact();
    expect(filesContaining(hb!.fixture.root, hb!.canary.secret), 'canary secret under the root').to.deep.equal([]);
  });
  after(async () => {
    await hb?.dispose();
  });
  return () => hb!;
}

/** Every regular file under `dir` (gzip members decompressed) that contains `needle`. */
export function filesContaining(dir: string, needle: Buffer, prefix = ''): string[] {
  const hits: string[] = [];
  // Never descends into a symlink (readdir's recursive mode would follow one onto the host).
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) hits.push(...filesContaining(path, needle, `${prefix}${entry.name}/`));
    if (!entry.isFile()) continue;
    const bytes = readFileSync(path);
    if (bytes.includes(needle) || decompressed(bytes).includes(needle)) hits.push(prefix + entry.name);
  }
  return hits;
}

function decompressed(bytes: Buffer): Buffer {
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return Buffer.alloc(0);
  try {
    return gunzipSync(bytes);
  } catch {
    return Buffer.alloc(0);
  }
}
