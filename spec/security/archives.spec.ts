// SECURITY.md group B end to end: containerd's 34 TestBreakouts archives through ADD of a local
// archive in build(), and as a base layer (import, then a build FROM it unpacks the layer and runs
// a step on it); device nodes in an ADD archive; decompressor binaries planted in the base image.
// The host canary must stay untouched and its secret must reach no file under the root.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ImageStore } from '../../lib/store/image-store.js';
import { importRootfs } from '../../lib/store/import-rootfs.js';
import { breakoutCases } from '../executor/snapshot/breakout-cases.js';
import { mkTar } from '../support/mk-tar.js';
import { useHostileBuild } from './hostile-build.js';
import { imageEntry } from './image-files.js';

describe('security B: hostile archives through build() [root]', function () {
  this.timeout(300000);
  const hostile = useHostileBuild();

  const caseTar = (c: (typeof breakoutCases)[number]) => mkTar(c.entries({ canaryDir: hostile().canary.dir, tag: `b-${process.pid}` }));

  describe('TestBreakouts through ADD of a local archive', () => {
    for (const c of breakoutCases) {
      it(c.name, async () => {
        await writeFile(join(hostile().fixture.context, 'case.tar'), caseTar(c));
        // Either outcome is allowed for the build; the canary and the leak search decide.
        await hostile().attempt('FROM busybox:test\nADD case.tar /\nRUN true\n', { network: 'none', noCache: true });
      });
    }
  });

  describe('TestBreakouts as a base layer (import, then FROM it and RUN)', () => {
    for (const c of breakoutCases) {
      it(c.name, async () => {
        const tar = join(hostile().fixture.dir, 'case.tar');
        await writeFile(tar, caseTar(c));
        const name = `breakout-${c.name.toLowerCase()}:1`;
        const imported = await importRootfs(await ImageStore.open(hostile().fixture.layout), tar, { name }).catch((error: Error) => error);
        if (imported instanceof Error) return;
        await hostile().attempt(`FROM ${name}\nCOPY --from=busybox:test /bin/busybox /bb\nRUN ["/bb", "true"]\n`, { network: 'none', noCache: true });
      });
    }
  });

  it('B6: device nodes in an ADD archive are not created; a read of one fails', async () => {
    const tar = mkTar([
      { name: 'dev2/', type: 'dir' },
      { name: 'dev2/sda', type: 'block', devmajor: 8, devminor: 0, mode: 0o666 },
      { name: 'dev2/mem', type: 'char', devmajor: 1, devminor: 1, mode: 0o666 },
    ]);
    await writeFile(join(hostile().fixture.context, 'devices.tar'), tar);
    const result = await hostile().attempt('FROM busybox:test\nADD devices.tar /\nRUN head -c1 /dev2/mem > /tmp/mem 2>/dev/null; ls -l /dev2 > /tmp/ls 2>&1; true\n', { tags: ['b6:x'], network: 'none' });
    expect(result).not.to.be.instanceOf(Error);
    const mem = await imageEntry(hostile().fixture, 'b6:x', 'tmp/mem');
    expect(mem === undefined || (mem.kind === 'file' && mem.text === '')).to.equal(true);
    expect(await imageEntry(hostile().fixture, 'b6:x', 'dev2/sda')).to.equal(undefined);
  });

  it('B9: xz, gzip, unpigz and zstd planted in the base image are never run to unpack an ADD archive', async () => {
    const pwned = join(hostile().canary.dir, 'pwned');
    const hijack = `#!/bin/sh\ntouch /injected ${pwned}\nexit 1\n`;
    const names = ['usr/local/sbin/xz', 'usr/bin/xz', 'usr/bin/unpigz', 'bin/gzip', 'usr/bin/gzip', 'usr/bin/zstd', 'bin/xz', 'bin/bzip2'];
    await writeFile(join(hostile().fixture.context, 'hijack.tar'), mkTar(names.map((name) => ({ name, data: hijack, mode: 0o755 }))));
    const payload = join(hostile().fixture.dir, 'payload');
    execFileSync('sh', ['-c', `mkdir -p ${payload} && echo unpacked > ${payload}/ok && tar -C ${payload} -cf ${payload}.tar ok`]);
    execFileSync('sh', ['-c', `xz -k ${payload}.tar && gzip -k ${payload}.tar && bzip2 -k ${payload}.tar && cp ${payload}.tar.* ${hostile().fixture.context}/`]);
    const text = 'FROM busybox:test\nADD hijack.tar /\nENV PATH=/usr/local/sbin:/usr/bin:/bin\nADD payload.tar.xz /xz/\nADD payload.tar.gz /gz/\nADD payload.tar.bz2 /bz2/\n';
    const result = await hostile().attempt(text, { tags: ['b9:x'], network: 'none' });
    expect(result).not.to.be.instanceOf(Error);
    expect(existsSync(pwned)).to.equal(false);
    expect(await imageEntry(hostile().fixture, 'b9:x', 'injected')).to.equal(undefined);
    for (const dir of ['xz', 'gz', 'bz2']) expect(await imageEntry(hostile().fixture, 'b9:x', `${dir}/ok`)).to.deep.equal({ kind: 'file', text: 'unpacked\n' });
  });

  it('B9: an xz or bzip2 first on the engine\'s own PATH is not the one that unpacks an ADD archive', async () => {
    const pwned = join(hostile().canary.dir, 'pwned');
    const evilBin = join(hostile().fixture.dir, 'evil-bin');
    execFileSync('sh', ['-c', `mkdir -p ${evilBin} && for t in xz bzip2; do printf '#!/bin/sh\\ntouch ${pwned}\\nexit 1\\n' > ${evilBin}/$t; chmod 755 ${evilBin}/$t; done`]);
    const payload = join(hostile().fixture.dir, 'payload2');
    execFileSync('sh', ['-c', `mkdir -p ${payload} && echo unpacked > ${payload}/ok && tar -C ${payload} -cf ${payload}.tar ok && xz -k ${payload}.tar && bzip2 -k ${payload}.tar && cp ${payload}.tar.* ${hostile().fixture.context}/`]);
    const savedPath = process.env.PATH;
    process.env.PATH = `${evilBin}:${savedPath ?? ''}`;
    try {
      const result = await hostile().attempt('FROM busybox:test\nADD payload2.tar.xz /xz/\nADD payload2.tar.bz2 /bz2/\n', { tags: ['b9path:x'], network: 'none', noCache: true });
      expect(result).not.to.be.instanceOf(Error);
    } finally {
      process.env.PATH = savedPath;
    }
    expect(existsSync(pwned)).to.equal(false);
    expect(await imageEntry(hostile().fixture, 'b9path:x', 'xz/ok')).to.deep.equal({ kind: 'file', text: 'unpacked\n' });
  });
});
