import { expect } from 'chai';
import fs from 'node:fs';
import { join } from 'node:path';
import { copyHandler } from '../../../executor/steps/copy.js';
import type { CopyInstruction } from '../../../parser/instructions/copy.js';
import { type CopyWorld, historyOf, makeWorld, modeOf, parseLine, runLine, writeFiles } from '../copy/copy-harness.js';
import { contextFor, scratchState } from './dispatch-line.js';

describe('COPY step', () => {
  let world: CopyWorld;
  beforeEach(() => {
    world = makeWorld();
  });
  afterEach(() => world.cleanup());

  describe('history and description (BuildKit 0.13)', () => {
    it('writes --chown then --chmod, drops --from/--link, keeps single spaces', () => {
      expect(historyOf('COPY   --chmod=0640   --chown=1:2  a.txt   /env/')).to.equal('COPY --chown=1:2 --chmod=0640 a.txt /env/ # buildkit');
      expect(historyOf('COPY --link --from=img /bin/busybox /envx')).to.equal('COPY /bin/busybox /envx # buildkit');
      expect(historyOf('COPY <<EOT /h.txt\nhello\nEOT')).to.equal('COPY <<EOT /h.txt # buildkit');
    });
    it('describes context inputs with excludes, and --from as a stage or an image', () => {
      const ctx = contextFor();
      const local = copyHandler.describe(scratchState(), parseLine('COPY --exclude=*.md a b /d/') as CopyInstruction, ctx);
      expect(local.inputs).to.deep.equal([{ source: 'context', paths: ['a', 'b'], exclude: ['*.md'] }]);
      expect(copyHandler.describe(scratchState(), parseLine('COPY --from=1 /x /y') as CopyInstruction, ctx).inputs).to.deep.equal([{ source: 'stage', stageIndex: 1 }]);
      expect(copyHandler.describe(scratchState(), parseLine('COPY --from=alpine:3 /x /y') as CopyInstruction, ctx).inputs).to.deep.equal([{ source: 'image', ref: 'alpine:3' }]);
    });
    it('accepts several sources without a trailing slash (BuildKit 0.13): the last one wins', async () => {
      writeFiles(world.context, { a: 'a', b: 'b' });
      expect(() => copyHandler.describe(scratchState(), parseLine('COPY a b /d') as CopyInstruction, contextFor())).not.to.throw();
      await runLine(world, 'COPY a b /d');
      expect(fs.readFileSync(join(world.rootfs, 'd'), 'utf8')).to.equal('b');
    });
  });

  describe('files', () => {
    it('copies into a directory destination relative to WORKDIR, creating parents 0755', async () => {
      writeFiles(world.context, { 'a.txt': 'hi\n' });
      await runLine(world, 'COPY a.txt rel/', '/w');
      expect(fs.readFileSync(join(world.rootfs, 'w/rel/a.txt'), 'utf8')).to.equal('hi\n');
      expect(modeOf(join(world.rootfs, 'w'))).to.equal(0o755);
      expect(modeOf(join(world.rootfs, 'w/rel/a.txt'))).to.equal(0o644);
    });
    it('copies a directory\'s contents, keeping modes and mtimes', async () => {
      writeFiles(world.context, { 'd/sub/f': 'x' });
      fs.chmodSync(join(world.context, 'd/sub/f'), 0o751);
      const past = new Date('2020-02-02T00:00:00Z');
      fs.utimesSync(join(world.context, 'd/sub/f'), past, past);
      fs.utimesSync(join(world.context, 'd/sub'), past, past);
      await runLine(world, 'COPY d /dd');
      expect(modeOf(join(world.rootfs, 'dd/sub/f'))).to.equal(0o751);
      expect(fs.statSync(join(world.rootfs, 'dd/sub/f')).mtime.toISOString()).to.equal(past.toISOString());
      expect(fs.statSync(join(world.rootfs, 'dd/sub')).mtime.toISOString()).to.equal(past.toISOString());
      expect(fs.existsSync(join(world.rootfs, 'dd/d'))).to.equal(false);
    });
    it('expands wildcards, allows one matching nothing, and fails like BuildKit on a missing path', async () => {
      writeFiles(world.context, { 'a1.txt': '1', 'a2.txt': '2', 'b.txt': 'b' });
      await runLine(world, 'COPY a?.txt /out/');
      expect(fs.readdirSync(join(world.rootfs, 'out')).sort()).to.deep.equal(['a1.txt', 'a2.txt']);
      await runLine(world, 'COPY nope* /x/');
      expect(fs.existsSync(join(world.rootfs, 'x'))).to.equal(false);
      await runLine(world, 'COPY missing /x').then(() => expect.fail('no error'), (error: Error) => expect(error.message).to.match(/calculate checksum of ref: "\/missing": not found/));
    });
    it('applies octal and symbolic --chmod', async () => {
      writeFiles(world.context, { 'a.txt': 'a', 'd/f': 'f' });
      await runLine(world, 'COPY --chmod=0600 a.txt /o');
      await runLine(world, 'COPY --chmod=u+x,go-r d /s/');
      expect(modeOf(join(world.rootfs, 'o'))).to.equal(0o600);
      expect(modeOf(join(world.rootfs, 's/f'))).to.equal(0o700);
    });
    it('drops --exclude matches, at any depth with **', async () => {
      writeFiles(world.context, { 'd/a.md': '', 'd/b.txt': '', 'd/sub/c.md': '', 'd/sub/e.txt': '' });
      await runLine(world, 'COPY --exclude=**/*.md d /d/');
      expect(fs.readdirSync(join(world.rootfs, 'd')).sort()).to.deep.equal(['b.txt', 'sub']);
      expect(fs.readdirSync(join(world.rootfs, 'd/sub'))).to.deep.equal(['e.txt']);
    });
    it('keeps source parents with --parents, below a /./ pivot', async () => {
      writeFiles(world.context, { 'x/y/f': 'f', 'p/q/g': 'g' });
      await runLine(world, 'COPY --parents x/y/f p/./q/g /out/');
      expect(fs.readFileSync(join(world.rootfs, 'out/x/y/f'), 'utf8')).to.equal('f');
      expect(fs.readFileSync(join(world.rootfs, 'out/q/g'), 'utf8')).to.equal('g');
    });
    it('writes heredoc sources with mode 0644', async () => {
      await runLine(world, 'COPY <<EOT /h.txt\nhello\nEOT');
      expect(fs.readFileSync(join(world.rootfs, 'h.txt'), 'utf8')).to.equal('hello\n');
      expect(modeOf(join(world.rootfs, 'h.txt'))).to.equal(0o644);
    });
    it('copies symlinks and hard links as such', async () => {
      writeFiles(world.context, { 'd/f': 'data' });
      fs.symlinkSync('/etc/passwd', join(world.context, 'd/l'));
      fs.linkSync(join(world.context, 'd/f'), join(world.context, 'd/h'));
      await runLine(world, 'COPY d /d');
      expect(fs.readlinkSync(join(world.rootfs, 'd/l'))).to.equal('/etc/passwd');
      expect(fs.statSync(join(world.rootfs, 'd/h')).ino).to.equal(fs.statSync(join(world.rootfs, 'd/f')).ino);
    });
    it('copies from another stage\'s tree with --from', async () => {
      writeFiles(world.stage, { 'bin/tool': '#!' });
      await runLine(world, 'COPY --from=0 /bin/tool /usr/bin/');
      expect(fs.readFileSync(join(world.rootfs, 'usr/bin/tool'), 'utf8')).to.equal('#!');
    });
  });

  describe('hostile input', () => {
    it('writes through a rootfs symlink pointing outside as chroot would: inside the rootfs', async () => {
      const outside = join(world.dir, 'outside');
      fs.mkdirSync(outside);
      fs.symlinkSync(outside, join(world.rootfs, 'escape'));
      writeFiles(world.context, { 'a.txt': 'a' });
      await runLine(world, 'COPY a.txt /escape/');
      expect(fs.readdirSync(outside)).to.deep.equal([]);
      expect(fs.readFileSync(join(world.rootfs, outside, 'a.txt'), 'utf8')).to.equal('a');
    });
    it('clamps ../ sources at the context root and never follows context symlinks out', async () => {
      writeFiles(world.dir, { 'secret': 'no' });
      writeFiles(world.context, { 'secret': 'ctx' });
      fs.symlinkSync('../secret', join(world.context, 'link'));
      await runLine(world, 'COPY ../secret /a');
      await runLine(world, 'COPY link /b');
      expect(fs.readFileSync(join(world.rootfs, 'a'), 'utf8')).to.equal('ctx');
      expect(fs.readFileSync(join(world.rootfs, 'b'), 'utf8')).to.equal('ctx');
    });
    it('replaces a final symlink in the rootfs instead of writing through it', async () => {
      const outside = join(world.dir, 'target');
      fs.writeFileSync(outside, 'keep');
      fs.symlinkSync(outside, join(world.rootfs, 'f'));
      writeFiles(world.context, { 'a.txt': 'new' });
      await runLine(world, 'COPY a.txt /f');
      expect(fs.readFileSync(outside, 'utf8')).to.equal('keep');
      expect(fs.readFileSync(join(world.rootfs, 'f'), 'utf8')).to.equal('new');
    });
  });
});
