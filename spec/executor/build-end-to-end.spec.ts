// Whole builds through build(): independent stages run at the same time (judged from the build's
// own step events, not a wall-clock threshold), and the copy fallback (no overlayfs) makes the
// same image as overlayfs: the same layers (files, modes, owners, links, whiteouts) and config.
// Their digests differ only through the mtimes RUN gives new files, which step layers do not clamp.
import { expect } from 'chai';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ContentStore } from '../../cache/content-store.js';
import { build, type BuildEvent } from '../../lib/build.js';
import { ImageStore } from '../../lib/store/image-store.js';
import { imageListing } from '../compat/image-listing.js';
import { makeBuildFixture, readImageFile, type BuildFixture } from '../lib/build-fixtures.js';

describe('whole builds [root]', function () {
  this.timeout(300_000);
  let fixture: BuildFixture;
  before(async function () {
    if (process.getuid?.() !== 0) this.skip();
    fixture = await makeBuildFixture();
  });
  after(async () => fixture?.dispose());

  it('runs four independent one-second stages at the same time [root]', async () => {
    const stages = ['a', 'b', 'c', 'd'];
    await writeFile(join(fixture.context, 'Dockerfile'), [
      ...stages.flatMap((name) => [`FROM busybox:test AS ${name}`, `RUN sleep 1 && echo ${name} > /${name}`]),
      'FROM busybox:test',
      ...stages.map((name) => `COPY --from=${name} /${name} /joined/${name}`),
      '',
    ].join('\n'));
    const times = new Map<number, { started?: number; finished?: number }>();
    const onEvent = (event: BuildEvent): void => {
      if (event.type !== 'step' || !event.text.startsWith('RUN sleep')) return;
      const entry = times.get(event.stage) ?? {};
      entry[event.phase] = Date.now();
      times.set(event.stage, entry);
    };
    await build({ root: fixture.root, context: fixture.context, tags: ['parallel:test'], network: 'none', noCache: true, onEvent });
    expect([...times.keys()].sort()).to.deep.equal([0, 1, 2, 3]);
    const starts = [...times.values()].map((entry) => entry.started!);
    const finishes = [...times.values()].map((entry) => entry.finished!);
    // Every sleeping step had started before any of them finished: all four overlapped.
    expect(Math.max(...starts)).to.be.below(Math.min(...finishes));
    for (const name of stages) expect(await readImageFile(fixture, 'parallel:test', `joined/${name}`)).to.equal(`${name}\n`);
  });

  it('makes the same layers and config on the copy fallback as on overlayfs [root]', async () => {
    await mkdir(join(fixture.context, 'src'), { recursive: true });
    await writeFile(join(fixture.context, 'src', 'f'), 'context file\n');
    await writeFile(join(fixture.context, 'Dockerfile'), [
      'FROM busybox:test',
      'RUN mkdir -p /d/sub && echo x > /d/f && ln /d/f /d/hard && ln -s f /d/sym && touch /d/sub/g && rm /etc/group',
      'RUN rm /d/f && rm -rf /d/sub && mkdir /d/sub && echo y > /d/sub/new',
      'COPY src/ /copied/',
      'RUN chmod 700 /copied && chown 5:6 /copied/f',
      '',
    ].join('\n'));
    const created = new Date('2024-01-01T00:00:00Z');
    const common = { root: fixture.root, context: fixture.context, network: 'none' as const, noCache: true, created };
    const overlay = await build({ ...common, tags: ['mode:overlay'], rootfsMode: 'overlay' });
    const copied = await build({ ...common, tags: ['mode:copy'], rootfsMode: 'copy' });
    const store = await ImageStore.open(fixture.layout);
    const content = await ContentStore.open(fixture.layout);
    const [a, b] = [await store.resolve(overlay.digest), await store.resolve(copied.digest)];
    expect(b.layers.length).to.equal(a.layers.length);
    for (let n = 1; n <= a.layers.length; n++) {
      // Each prefix of the layer chain, so a whiteout or opaque folder in any layer must match too.
      const prefix = (image: typeof a): typeof a => ({ ...image, layers: image.layers.slice(0, n) });
      expect(await imageListing(content, prefix(b)), `after layer ${n}`).to.deep.equal(await imageListing(content, prefix(a)));
    }
    expect({ ...b.config, rootfs: undefined }).to.deep.equal({ ...a.config, rootfs: undefined });
  });
});
