import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createRootFolders, rootLayout } from '../../../cache/root.js';
import { loadArchive } from '../../../lib/export/load-archive.js';
import { ImageStore } from '../../../lib/store/image-store.js';
import { importBusybox } from '../../support/busybox-image.js';
import { runCli } from '../../support/run-cli.js';
import { createReadStream } from 'node:fs';

const run = promisify(execFile);
// A small build: the WORKDIR exists in busybox (BuildKit's empty layer), one COPY, the rest is
// metadata. Layer times are clamped by default (spec/lib/build-reproducible.spec.ts covers steps
// that create and change folders); rewrite-timestamp below also clamps at export.
const DOCKERFILE = 'FROM localhost/busybox:test\nWORKDIR /tmp\nCOPY hello.txt /hello.txt\nENV GREETING=hello\nLABEL org.example=yes\nCMD ["cat", "/etc/passwd"]\n';

interface Built {
  readonly root: string;
  readonly out: string;
  readonly imageId: string;
  readonly metadata: Record<string, unknown>;
}

describe('lib/export build outputs [root]', function () {
  this.timeout(240_000);
  let dir: string;
  let context: string;
  let n = 0;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tsbuild-outputs-'));
    context = join(dir, 'context');
    await mkdir(context);
    await writeFile(join(context, 'Dockerfile'), DOCKERFILE);
    await writeFile(join(context, 'hello.txt'), 'hello\n');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  /** Builds DOCKERFILE in a fresh root with every output type. */
  async function buildAll(extra: string[] = []): Promise<Built> {
    const root = join(dir, `root-${++n}`);
    const out = join(dir, `out-${n}`);
    await mkdir(out);
    await importBusybox(root);
    const result = await runCli([
      'build', '--root', root, '-q', '-t', 'outputs:test', ...extra,
      '-o', `type=docker,dest=${join(out, 'docker.tar')}`,
      '-o', `type=oci,dest=${join(out, 'layout')},tar=false`,
      '-o', `type=local,dest=${join(out, 'rootfs')}`,
      '-o', `type=tar,dest=${join(out, 'rootfs.tar')}`,
      '-o', `type=oci,dest=${join(out, 'oci.tar')}`,
      '--metadata-file', join(out, 'metadata.json'),
      context,
    ]);
    expect(result.stderr).to.equal('');
    expect(result.code).to.equal(0);
    const metadata = JSON.parse(await readFile(join(out, 'metadata.json'), 'utf8')) as Record<string, unknown>;
    return { root, out, imageId: result.stdout.trim(), metadata };
  }

  let first: Built;
  before(async () => {
    first = await buildAll();
  });

  it('writes the metadata file as buildx does, naming the last image output (gzip layers)', async () => {
    expect(Object.keys(first.metadata)).to.deep.equal(['containerimage.config.digest', 'containerimage.descriptor', 'containerimage.digest', 'image.name']);
    expect(first.metadata['containerimage.config.digest']).to.equal(first.imageId);
    expect(first.metadata['image.name']).to.equal('docker.io/library/outputs:test');
    const index = JSON.parse(await readFile(join(first.out, 'layout', 'index.json'), 'utf8'));
    expect(index.manifests[0].digest).to.equal(first.metadata['containerimage.digest']);
    const manifest = JSON.parse(await readFile(join(first.out, 'layout', 'blobs', 'sha256', index.manifests[0].digest.slice(7)), 'utf8'));
    expect(manifest.layers.map((layer: { mediaType: string }) => layer.mediaType)).to.deep.equal(Array(3).fill('application/vnd.oci.image.layer.v1.tar+gzip'));
  });

  it('type=docker loads into a fresh root as the built image (same ID and tag)', async () => {
    const layout = rootLayout(join(dir, 'load-target'));
    await createRootFolders(layout);
    const store = await ImageStore.open(layout);
    const [loaded] = await loadArchive(store, createReadStream(join(first.out, 'docker.tar')));
    expect(loaded!.image.id).to.equal(first.imageId);
    expect(loaded!.names).to.deep.equal(['docker.io/library/outputs:test']);
    expect(loaded!.image.config.config.Env).to.include('GREETING=hello');
  });

  it('type=local and type=tar hold the final filesystem', async () => {
    expect((await stat(join(first.out, 'rootfs', 'bin', 'busybox'))).isFile()).to.equal(true);
    expect((await readdir(join(first.out, 'rootfs'))).sort()).to.include.members(['bin', 'etc', 'hello.txt', 'tmp']);
    expect(await readFile(join(first.out, 'rootfs', 'hello.txt'), 'utf8')).to.equal('hello\n');
    const { stdout } = await run('tar', ['-tvf', join(first.out, 'rootfs.tar')], { maxBuffer: 16 << 20 });
    expect(stdout).to.match(/^-r[w-]x.* bin\/busybox$/m);
    expect(stdout).to.match(/^d.* tmp\/$/m);
    expect(stdout).to.match(/^-rw-r--r-- .* hello\.txt$/m);
  });

  it('dest=- writes the OCI archive to stdout; uncompressed, it is the stored manifest', async () => {
    const root = join(dir, 'stdout-root');
    await importBusybox(root);
    const meta = join(dir, 'stdout-meta.json');
    const result = await runCli(['build', '--root', root, '-q', '--metadata-file', meta, '-o', 'type=oci,dest=-,compression=uncompressed', context]);
    expect(result.code).to.equal(0);
    expect(result.stdout).to.contain('"imageLayoutVersion": "1.0.0"').and.contain('index.json');
    // Uncompressed, the exported manifest is the stored one.
    const stored = await (await ImageStore.open(rootLayout(root))).resolve(first.imageId);
    expect(JSON.parse(await readFile(meta, 'utf8'))['containerimage.digest']).to.equal(stored.manifestDigest);
    expect(result.stdout).to.contain(stored.manifestDigest);
  });

  it('is reproducible: the same inputs in a fresh root give the same image, archives and metadata', async () => {
    const second = await buildAll();
    expect(second.imageId).to.equal(first.imageId);
    expect(second.metadata).to.deep.equal(first.metadata);
    for (const file of ['docker.tar', 'oci.tar', 'rootfs.tar']) {
      expect(await readFile(join(second.out, file)), file).to.deep.equal(await readFile(join(first.out, file)));
    }
  });

  it('SOURCE_DATE_EPOCH sets the config and history times, and the image is again the same in a fresh root', async () => {
    const a = await buildAll(['--build-arg', 'SOURCE_DATE_EPOCH=1700000000']);
    const b = await buildAll(['--build-arg', 'SOURCE_DATE_EPOCH=1700000000']);
    expect(b.imageId).to.equal(a.imageId).and.not.equal(first.imageId);
    const store = await ImageStore.open(rootLayout(a.root));
    const image = await store.resolve(a.imageId);
    expect(image.config.created).to.equal('2023-11-14T22:13:20Z');
    const built = (image.config.history ?? []).slice(1);
    expect(built.map((entry) => entry.created)).to.deep.equal(built.map(() => '2023-11-14T22:13:20Z'));
  });
});

describe('lib/export rewrite-timestamp output [root]', function () {
  this.timeout(240_000);
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tsbuild-rewrite-ts-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('rewrite-timestamp=true: a layer made at different times in two roots exports to the same digest', async () => {
    const context = join(dir, 'context');
    await mkdir(context);
    await writeFile(join(context, 'Dockerfile'), 'FROM localhost/busybox:test\nWORKDIR /work/deep\n');
    const digests: string[] = [];
    for (const name of ['a', 'b']) {
      const root = join(dir, name);
      await importBusybox(root);
      const meta = join(dir, `${name}.json`);
      const tar = join(dir, `${name}.tar`);
      const built = await runCli(['build', '--root', root, '-q', '--build-arg', 'SOURCE_DATE_EPOCH=1700000000', '--metadata-file', meta, '-o', `type=oci,dest=${tar},rewrite-timestamp=true`, context]);
      expect(built.code, built.stderr).to.equal(0);
      digests.push(JSON.parse(await readFile(meta, 'utf8'))['containerimage.digest']);
      const { stdout } = await run('tar', ['-xOf', tar, 'index.json']);
      expect(JSON.parse(stdout).manifests[0].digest).to.equal(digests.at(-1));
      if (name === 'a') await new Promise((resolve) => setTimeout(resolve, 1100)); // a later second for the folder's mtime
    }
    expect(digests[1]).to.equal(digests[0]);
  });
});

const hasDocker = existsSync('/usr/bin/docker');

describe('lib/export build outputs against the reference [root] [reference]', function () {
  this.timeout(240_000);
  let dir: string;

  before(async function () {
    if (!hasDocker) return this.skip();
    try {
      await run('docker', ['info', '--format', '{{.ServerVersion}}'], { timeout: 20_000 });
    } catch {
      return this.skip();
    }
    dir = await mkdtemp(join(tmpdir(), 'tsbuild-outputs-ref-'));
  });
  after(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('docker load accepts -o type=docker (gzip layers) and runs the image: its CMD and a COPY layer', async () => {
    const context = join(dir, 'context');
    await mkdir(context);
    await writeFile(join(context, 'Dockerfile'), 'FROM localhost/busybox:test\nWORKDIR /tmp\nCOPY hello.txt /hello.txt\nENV GREETING=from-tsbuild\nCMD ["sh", "-c", "echo $GREETING; pwd"]\n');
    await writeFile(join(context, 'hello.txt'), 'hello from a layer\n');
    const root = join(dir, 'root');
    await importBusybox(root);
    const tar = join(dir, 'image.tar');
    const tag = `tsbuild-reference-output:${process.pid}`;
    const built = await runCli(['build', '--root', root, '-q', '-t', tag, '-o', `type=docker,dest=${tar}`, context]);
    expect(built.code, built.stderr).to.equal(0);
    try {
      const loaded = await run('docker', ['load', '-i', tar]);
      expect(loaded.stdout).to.contain(`Loaded image: ${tag}`);
      const ran = await run('docker', ['run', '--rm', '--network', 'none', tag]);
      expect(ran.stdout).to.equal('from-tsbuild\n/tmp\n');
      expect((await run('docker', ['run', '--rm', '--network', 'none', tag, 'cat', '/hello.txt'])).stdout).to.equal('hello from a layer\n');
      const id = await run('docker', ['image', 'inspect', '--format', '{{.Id}}', tag]);
      expect(id.stdout.trim()).to.equal(built.stdout.trim());
    } finally {
      await run('docker', ['rmi', '-f', tag]).catch(() => undefined);
    }
  });
});

const hasTools = existsSync('/usr/bin/skopeo') && existsSync('/usr/bin/umoci');

describe('lib/export OCI outputs read by skopeo and umoci [root] [tools]', function () {
  this.timeout(240_000);
  let dir: string;
  let out: string;

  before(async function () {
    if (!hasTools) return this.skip();
    dir = await mkdtemp(join(tmpdir(), 'tsbuild-outputs-tools-'));
    const context = join(dir, 'context');
    await mkdir(context);
    await writeFile(join(context, 'Dockerfile'), DOCKERFILE);
    await writeFile(join(context, 'hello.txt'), 'hello\n');
    const root = join(dir, 'root');
    await importBusybox(root);
    out = join(dir, 'out');
    const built = await runCli(['build', '--root', root, '-q', '-t', 'tools:v1', '-o', `type=oci,dest=${join(out, 'image.tar')}`, '-o', `type=oci,dest=${join(out, 'layout')},tar=false`, '--metadata-file', join(out, 'meta.json'), context]);
    expect(built.code, built.stderr).to.equal(0);
  });
  after(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('skopeo inspects the OCI archive and the layout folder: the same digest, config and gzip layers', async () => {
    const meta = JSON.parse(await readFile(join(out, 'meta.json'), 'utf8'));
    for (const source of [`oci-archive:${join(out, 'image.tar')}`, `oci:${join(out, 'layout')}:v1`]) {
      const { stdout } = await run('skopeo', ['inspect', source]);
      const info = JSON.parse(stdout);
      expect(info.Digest, source).to.equal(meta['containerimage.digest']);
      expect(info.Env).to.include('GREETING=hello');
      expect(info.Labels).to.deep.equal({ 'org.example': 'yes' });
      expect(info.Layers).to.have.length(3);
      const raw = JSON.parse((await run('skopeo', ['inspect', '--raw', source])).stdout);
      expect(raw.layers.map((layer: { mediaType: string }) => layer.mediaType)).to.deep.equal(Array(3).fill('application/vnd.oci.image.layer.v1.tar+gzip'));
    }
  });

  it('skopeo copies the archive to a layout (blobs verified on the way)', async () => {
    await run('skopeo', ['copy', '-q', `oci-archive:${join(out, 'image.tar')}`, `oci:${join(dir, 'copied')}:copied`]);
    const index = JSON.parse(await readFile(join(dir, 'copied', 'index.json'), 'utf8'));
    expect(index.manifests).to.have.length(1);
  });

  it('umoci unpacks the layout by its ref.name: the rootfs and the runtime config', async () => {
    const bundle = join(dir, 'bundle');
    await run('umoci', ['unpack', '--image', `${join(out, 'layout')}:v1`, bundle]);
    expect((await stat(join(bundle, 'rootfs', 'bin', 'busybox'))).isFile()).to.equal(true);
    expect(await readFile(join(bundle, 'rootfs', 'hello.txt'), 'utf8')).to.equal('hello\n');
    const config = JSON.parse(await readFile(join(bundle, 'config.json'), 'utf8'));
    expect(config.process.env).to.include('GREETING=hello');
    expect(config.process.args).to.deep.equal(['cat', '/etc/passwd']);
    expect(config.process.cwd).to.equal('/tmp');
  });
});
