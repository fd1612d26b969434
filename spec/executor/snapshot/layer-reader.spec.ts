// SECURITY group B beyond the containerd table: names (B1, B2), the root entry (B3c), overwriting a
// hard link (B4b), cache poisoning (B5), device nodes (B6), bombs (B7), broken input (B8),
// ownership and modes (B11), and symlink targets kept verbatim (lesson 2).
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ArchiveError } from '../../../executor/snapshot/archive-error.js';
import { applyLayer, type ApplyLayerOptions } from '../../../executor/snapshot/layer-reader.js';
import { detectCompression } from '../../../executor/snapshot/tar-input.js';
import { mkTar, type TarFixtureEntry } from '../../support/mk-tar.js';
import { makeCanary } from './canary.js';
import { createFile, makeTree, tarStream, thrownBy } from './fs-fixture.js';
import { Readable } from 'node:stream';

const made: string[] = [];
after(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function freshRoot(): string {
  const root = makeTree();
  made.push(root);
  return root;
}

async function refusal(entries: TarFixtureEntry[] | Readable, options: Partial<ApplyLayerOptions> = {}): Promise<ArchiveError> {
  const input = Array.isArray(entries) ? tarStream(entries) : entries;
  const error = await thrownBy(applyLayer(input, freshRoot(), { whiteouts: 'remove', ...options }));
  expect(error).to.be.instanceOf(ArchiveError);
  return error as ArchiveError;
}

describe('snapshot: layer reader (SECURITY B)', () => {
  describe('B1: names that climb out are refused ("invalid entry name")', () => {
    for (const name of ['../../outside.txt', 'a/../../x', '..', './../x', '/../x']) {
      it(JSON.stringify(name), async () => {
        const canary = makeCanary();
        made.push(canary.dir);
        const error = await refusal([{ name: 'ok', data: 'fine' }, { name, data: 'escaped' }]);
        expect(error.reason).to.equal('invalid-entry-name');
        expect(error.message).to.include('invalid entry name');
        expect(error.entry).to.equal(name);
        canary.assertIntact();
      });
    }
  });

  it('B2: absolute names land inside the root, with every leading slash stripped', async () => {
    const tag = randomBytes(6).toString('hex');
    const root = freshRoot();
    await applyLayer(tarStream([{ name: '/etc/passwd', data: 'in root' }, { name: `////tmp/abs-${tag}`, data: 'x' }]), root, { whiteouts: 'remove' });
    expect(readFileSync(join(root, 'etc/passwd'), 'utf8')).to.equal('in root');
    expect(existsSync(join(root, 'tmp', `abs-${tag}`))).to.equal(true);
    expect(existsSync(join('/tmp', `abs-${tag}`)), 'the host /tmp').to.equal(false);
  });

  it('B3c: an entry for the root itself (even a symlink named ".") is skipped', async () => {
    const canary = makeCanary();
    made.push(canary.dir);
    const root = freshRoot();
    for (const name of ['.', '/.', './']) {
      await applyLayer(tarStream([{ name, type: 'symlink', linkname: canary.dir }, { name: 'x', data: 'inside' }]), root, { whiteouts: 'remove' });
    }
    expect(lstatSync(root).isDirectory()).to.equal(true);
    expect(readFileSync(join(root, 'x'), 'utf8')).to.equal('inside');
    canary.assertIntact();
  });

  it('B4b: a file written over a hard link replaces the link instead of writing through it', async () => {
    const root = makeTree(createFile('etc/passwd', 'root:x:0:0'));
    made.push(root);
    await applyLayer(tarStream([{ name: 'pw', type: 'link', linkname: 'etc/passwd' }, { name: 'pw', data: 'owned' }]), root, { whiteouts: 'remove' });
    expect(readFileSync(join(root, 'etc/passwd'), 'utf8')).to.equal('root:x:0:0');
    expect(readFileSync(join(root, 'pw'), 'utf8')).to.equal('owned');
  });

  it('B5: a folder replaced by a symlink is re-resolved for every later entry', async () => {
    const canary = makeCanary();
    made.push(canary.dir);
    const root = freshRoot();
    await applyLayer(tarStream([{ name: 'a', type: 'dir' }, { name: 'a', type: 'symlink', linkname: canary.dir }, { name: 'a/x', data: 'in root' }]), root, { whiteouts: 'remove' });
    expect(readFileSync(join(root, canary.dir, 'x'), 'utf8')).to.equal('in root');
    canary.assertIntact();
  });

  it('B6: device nodes are skipped with a warning; FIFOs are created', async () => {
    const root = freshRoot();
    const warnings: string[] = [];
    const entries: TarFixtureEntry[] = [
      { name: 'dev/sda', type: 'block', devmajor: 8, devminor: 0 },
      { name: 'dev/mem', type: 'char', devmajor: 1, devminor: 1 },
      { name: 'dev/huge', type: 'char', devmajor: 0o7777777, devminor: 0o7777777 },
      { name: 'run/fifo', type: 'fifo' },
    ];
    const result = await applyLayer(tarStream(entries), root, { whiteouts: 'remove', onWarning: (m) => warnings.push(m) });
    expect(result.skipped).to.deep.equal(['dev/sda', 'dev/mem', 'dev/huge']);
    expect(warnings.join('\n')).to.include('device nodes from archives are not created');
    expect(existsSync(join(root, 'dev/sda'))).to.equal(false);
    expect(lstatSync(join(root, 'run/fifo')).isFIFO()).to.equal(true);
  });

  it('[root] B6: devices are created only when the caller trusts the archive (devices: create)', async () => {
    const root = freshRoot();
    await applyLayer(tarStream([{ name: 'dev/null', type: 'char', devmajor: 1, devminor: 3, mode: 0o666 }]), root, { whiteouts: 'remove', devices: 'create' });
    const info = lstatSync(join(root, 'dev/null'));
    expect([info.isCharacterDevice(), info.rdev, info.mode & 0o777]).to.deep.equal([true, 0x103, 0o666]);
  });

  it('[root] B11: owners and special bits are applied; (uid_t)-1 and negative ids are refused', async () => {
    const root = freshRoot();
    const entries: TarFixtureEntry[] = [
      { name: 'bin/su', data: 'x', mode: 0o4755, uid: 0, gid: 0 },
      { name: 'srv/all', data: 'x', mode: 0o7777, uid: 1000, gid: 2000 },
      { name: 'srv/dir', type: 'dir', mode: 0o1777, uid: 65534, gid: 65534 },
    ];
    await applyLayer(tarStream(entries), root, { whiteouts: 'remove' });
    const su = lstatSync(join(root, 'bin/su'));
    const all = lstatSync(join(root, 'srv/all'));
    const dir = lstatSync(join(root, 'srv/dir'));
    expect([su.mode & 0o7777, all.mode & 0o7777, all.uid, all.gid, dir.mode & 0o7777, dir.uid]).to.deep.equal([0o4755, 0o7777, 1000, 2000, 0o1777, 65534]);
    expect((await refusal([{ name: 'x', data: '', uid: 4294967295 }])).reason).to.equal('invalid-header');
    expect((await refusal([{ name: 'x', data: '', gid: -5 }])).reason).to.equal('invalid-header');
  });

  it('symlink targets are stored verbatim, loops and ..-heavy ones included (lesson 2)', async () => {
    const root = freshRoot();
    const targets = { 'etc/cacerts': '../../../../etc/pki/java/cacerts', 'bin/sh': 'dash', 'bin/dash': 'dash', 'abs': '/../../x' };
    await applyLayer(tarStream(Object.entries(targets).map(([name, linkname]) => ({ name, type: 'symlink' as const, linkname }))), root, { whiteouts: 'remove' });
    for (const [name, target] of Object.entries(targets)) expect(readlinkSync(join(root, name))).to.equal(target);
  });

  it('owners can be left alone when ids cannot be mapped (preserveOwners: false)', async () => {
    const root = freshRoot();
    await applyLayer(tarStream([{ name: 'f', data: 'x', uid: 1234, gid: 1234, mode: 0o640 }]), root, { whiteouts: 'remove', preserveOwners: false });
    const info = lstatSync(join(root, 'f'));
    expect([info.uid, info.mode & 0o777]).to.deep.equal([process.getuid!(), 0o640]);
  });

  describe('B8: broken or foreign input', () => {
    it('a truncated archive fails (last byte dropped, or cut inside data)', async () => {
      const whole = mkTar([{ name: 'a', data: 'x'.repeat(2000) }]);
      for (const bytes of [whole.subarray(0, whole.length - 1), whole.subarray(0, 1024)]) {
        expect((await refusal(Readable.from([bytes]))).reason).to.equal('truncated');
      }
    });

    it('bytes that are not a tar are refused', async () => {
      expect((await refusal(Readable.from([Buffer.from('not a tar at all\n'.repeat(100))]))).reason).to.equal('invalid-header');
    });

    it('compression is recognised by magic bytes; only gzip is decompressed', async () => {
      expect(detectCompression(Buffer.from([0x1f, 0x8b, 0x08, 0]))).to.equal('gzip');
      expect(detectCompression(Buffer.from('BZh91AY'))).to.equal('bzip2');
      expect(detectCompression(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))).to.equal('xz');
      expect(detectCompression(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))).to.equal('zstd');
      expect(detectCompression(mkTar([{ name: 'a.tar.gz', data: '' }]))).to.equal('none');
      const error = await refusal(Readable.from([Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 1, 2, 3])]));
      expect([error.reason, error.message]).to.deep.equal(['unsupported', 'xz compressed layers are not supported yet (gzip and uncompressed are)']);
    });

    it('negative base-256 sizes and unknown entry types are refused', async () => {
      expect((await refusal([{ name: 'neg', size: -512, data: '' }])).reason).to.equal('invalid-header');
      expect((await refusal([{ name: 'sparse', type: { flag: 'S' }, data: '' }])).reason).to.equal('unsupported');
    });
  });
});
