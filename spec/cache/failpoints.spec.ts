import { expect } from 'chai';
import { failpoint, parseFailpoints, resetFailpoints } from '../../cache/failpoints.js';
import { runWorker } from './fixtures/spawn-worker.js';
import { makeTempRoot } from './fixtures/temp-root.js';

describe('cache/failpoints', () => {
  afterEach(() => resetFailpoints(''));

  it('parses name=action lists', () => {
    expect([...parseFailpoints('content.beforeRename=kill, index.afterRename=eio,')]).to.deep.equal([
      ['content.beforeRename', 'kill'],
      ['index.afterRename', 'eio'],
    ]);
    expect(parseFailpoints('').size).to.equal(0);
  });

  it('rejects unknown names and actions with E_USAGE', () => {
    expect(() => parseFailpoints('content.typo=kill')).to.throw(/unknown failpoint/).with.property('code', 'E_USAGE');
    expect(() => parseFailpoints('content.beforeRename=explode')).to.throw(/kill, enospc or eio/);
    expect(() => parseFailpoints('content.beforeRename')).to.throw(/kill, enospc or eio/);
  });

  it('throws ENOSPC and EIO as the kernel would, only at the named point', () => {
    resetFailpoints('content.afterWrite=enospc,gc.midSweep=eio');
    expect(() => failpoint('content.afterWrite')).to.throw(/no space left on device/).with.property('code', 'ENOSPC');
    expect(() => failpoint('gc.midSweep')).to.throw().with.property('code', 'EIO');
    expect(() => failpoint('content.beforeRename')).to.not.throw();
  });

  it('does nothing when unset', () => {
    resetFailpoints(undefined);
    expect(() => failpoint('content.afterRename')).to.not.throw();
  });

  it('kill makes the process SIGKILL itself (read from TSBUILD_FAILPOINTS)', async () => {
    const { layout, remove } = await makeTempRoot();
    try {
      const result = await runWorker(layout.root, [{ ingest: { seed: 'x', size: 10 } }], { failpoints: 'content.afterRename=kill' });
      expect(result.signal).to.equal('SIGKILL');
      expect(result.lines).to.deep.equal([]);
    } finally {
      await remove();
    }
  });
});
