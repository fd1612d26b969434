// A host folder that hostile archives must never touch (SECURITY §2 `canary()`): random secret
// bytes, a 0400 victim with a fixed mtime, an empty folder. Its state is recorded and compared
// after every case: content, mode, mtime, link count and the listing.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Canary {
  readonly dir: string;
  readonly secret: Buffer;
  /** Compares the folder with how it was made; throws (chai) on any difference. */
  assertIntact(): void;
}

function describeTree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .sort()
    .map((name) => {
      const info = lstatSync(join(dir, name));
      const content = info.isFile() ? readFileSync(join(dir, name)).toString('hex') : '';
      return `${name} ${info.mode.toString(8)} ${info.mtimeMs} ${info.nlink} ${info.uid}:${info.gid} ${content}`;
    });
}

export function makeCanary(): Canary {
  const dir = mkdtempSync(join(tmpdir(), 'canary-'));
  const secret = randomBytes(32);
  writeFileSync(join(dir, 'secret'), secret);
  writeFileSync(join(dir, 'victim'), 'victim\n');
  chmodSync(join(dir, 'victim'), 0o400);
  utimesSync(join(dir, 'victim'), 1_000_000_000, 1_000_000_000);
  mkdirSync(join(dir, 'empty'));
  const before = describeTree(dir);
  const rootBefore = lstatSync(dir);
  return {
    dir,
    secret,
    assertIntact() {
      expect(describeTree(dir), `canary ${dir}`).to.deep.equal(before);
      const rootNow = lstatSync(dir);
      expect([rootNow.mode, rootNow.mtimeMs, rootNow.nlink]).to.deep.equal([rootBefore.mode, rootBefore.mtimeMs, rootBefore.nlink]);
    },
  };
}
