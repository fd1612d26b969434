import { expect } from 'chai';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRootFolders, resolveRoot, rootLayout, SYSTEM_ROOT } from '../../cache/root.js';

describe('cache/root', () => {
  const user = { env: {}, uid: 1000, home: '/home/ann', cwd: '/work' };

  describe('resolveRoot', () => {
    it('prefers --root, resolved against cwd', () => {
      expect(resolveRoot({ ...user, root: 'state', env: { TSBUILD_ROOT: '/elsewhere' } })).to.equal('/work/state');
      expect(resolveRoot({ ...user, root: '/abs/' })).to.equal('/abs');
    });

    it('then $TSBUILD_ROOT, even for uid 0', () => {
      expect(resolveRoot({ ...user, uid: 0, env: { TSBUILD_ROOT: '/srv/tsb', XDG_DATA_HOME: '/x' } })).to.equal('/srv/tsb');
    });

    it('uses /var/lib/tsbuild for uid 0 otherwise', () => {
      expect(resolveRoot({ ...user, uid: 0, env: { XDG_DATA_HOME: '/x' } })).to.equal(SYSTEM_ROOT);
    });

    it('then $XDG_DATA_HOME/tsbuild, ignoring empty and relative values', () => {
      expect(resolveRoot({ ...user, env: { XDG_DATA_HOME: '/data' } })).to.equal('/data/tsbuild');
      expect(resolveRoot({ ...user, env: { XDG_DATA_HOME: 'rel' } })).to.equal('/home/ann/.local/share/tsbuild');
      expect(resolveRoot({ ...user, env: { XDG_DATA_HOME: '', TSBUILD_ROOT: '' } })).to.equal('/home/ann/.local/share/tsbuild');
    });

    it('fails clearly without a home folder', () => {
      expect(() => resolveRoot({ ...user, home: '' })).to.throw(/pass --root/).with.property('code', 'E_STORE');
    });
  });

  describe('rootLayout', () => {
    it('names versioned folders under the root', () => {
      const layout = rootLayout('/r');
      expect(layout.content).to.equal('/r/content-v1');
      expect(layout.index).to.equal('/r/index-v1');
      expect(layout.tmp).to.equal('/r/tmp');
      expect(new Set(Object.values(layout)).size).to.equal(Object.keys(layout).length);
    });

    it('refuses a relative root', () => {
      expect(() => rootLayout('rel')).to.throw().with.property('code', 'E_STORE');
    });
  });

  it('createRootFolders creates every folder, private to the owner, and can run twice', async () => {
    const base = await mkdtemp(join(tmpdir(), 'tsbuild-root-'));
    try {
      const layout = rootLayout(join(base, 'root'));
      await Promise.all([createRootFolders(layout), createRootFolders(layout)]);
      for (const folder of Object.values(layout)) expect((await stat(folder)).isDirectory(), folder).to.equal(true);
      expect((await stat(layout.root)).mode & 0o777).to.equal(0o700);
      // Step state keeps the folder name roots had before it joined the layout: cache mounts carry over.
      expect(layout.state).to.equal(join(base, 'root', 'state-v1'));
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  });
});
