import { expect } from 'chai';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { main } from '../../../lib/cli/main.js';
import type { StoredImage } from '../../../lib/store/image-store.js';
import { importBusybox } from '../../support/busybox-image.js';
import { runCli } from '../../support/run-cli.js';

/** runCli, but stdout kept as bytes (archives are binary) and stdout/stdin marked as terminals when asked. */
async function runBinary(argv: string[], options: { stdin?: Buffer; tty?: boolean } = {}): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  const stdout = Object.assign(new PassThrough(), options.tty ? { isTTY: true } : {});
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk));
  stderr.on('data', (chunk: Buffer) => err.push(chunk));
  const stdin = Object.assign(Readable.from(options.stdin ? [options.stdin] : []), options.tty ? { isTTY: true } : {});
  const code = await main(argv, { stdout, stderr, stdin, env: {}, cwd: process.cwd() });
  return { code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString() };
}

describe('CLI save and load', () => {
  let dir: string;
  let source: string;
  let busybox: StoredImage;
  let n = 0;
  const fresh = () => join(dir, `root-${++n}`);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tsbuild-save-load-'));
    source = join(dir, 'source');
    busybox = await importBusybox(source);
    expect((await runCli(['tag', '--root', source, 'localhost/busybox:test', 'app:v1'])).code).to.equal(0);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('save -o FILE then load -i FILE: every named tag comes back, with docker load\'s messages', async () => {
    const file = join(dir, 'two.tar');
    const saved = await runCli(['save', '--root', source, '-o', file, 'localhost/busybox:test', 'app:v1']);
    expect(saved).to.deep.include({ code: 0, stdout: '', stderr: '' });
    const root = fresh();
    const loaded = await runCli(['load', '--root', root, '-i', file]);
    expect(loaded.code).to.equal(0);
    expect(loaded.stdout).to.equal('Loaded image: localhost/busybox:test\nLoaded image: app:v1\n');
    const images = await runCli(['images', '--root', root, '--digests', '--no-trunc']);
    expect(images.stdout).to.contain(busybox.manifestDigest).and.contain('app ').and.contain(busybox.id);
  });

  it('save to stdout when it is not a terminal, load from stdin; --format oci; -q prints nothing', async () => {
    const saved = await runBinary(['save', '--root', source, '--format', 'oci', 'app:v1']);
    expect(saved.code).to.equal(0);
    expect(saved.stdout.length).to.be.greaterThan(1_000_000);
    const root = fresh();
    const loaded = await runBinary(['load', '--root', root], { stdin: saved.stdout });
    expect(loaded.stdout.toString()).to.equal('Loaded image: app:v1\n');
    const quiet = await runBinary(['load', '--root', fresh(), '-q'], { stdin: saved.stdout });
    expect(quiet).to.deep.include({ code: 0 });
    expect(quiet.stdout.length).to.equal(0);
  });

  it('a repository name without a tag saves every tag of that repository', async () => {
    expect((await runCli(['tag', '--root', source, 'app:v1', 'app:v2'])).code).to.equal(0);
    const file = join(dir, 'repo.tar');
    expect((await runCli(['save', '--root', source, '-o', file, 'app'])).code).to.equal(0);
    const loaded = await runCli(['load', '--root', fresh(), '-i', file]);
    expect(loaded.stdout).to.equal('Loaded image: app:v1\nLoaded image: app:v2\n');
    expect((await runCli(['rmi', '--root', source, 'app:v2'])).code).to.equal(0);
  });

  it('saving by image ID records no name; loading it says "Loaded image ID"', async () => {
    const file = join(dir, 'by-id.tar');
    expect((await runCli(['save', '--root', source, '-o', file, busybox.id.slice(7, 19)])).code).to.equal(0);
    const loaded = await runCli(['load', '--root', fresh(), '-i', file]);
    expect(loaded.stdout).to.equal(`Loaded image ID: ${busybox.id}\n`);
  });

  it('refuses a terminal as stdout or stdin, unknown images, and no arguments; a failed save leaves no file', async () => {
    const tty = await runBinary(['save', '--root', source, 'app:v1'], { tty: true });
    expect(tty.code).to.equal(2);
    expect(tty.stderr).to.match(/cowardly refusing/);
    expect((await runBinary(['load', '--root', source], { tty: true })).stderr).to.match(/stdin/);
    const missing = await runCli(['save', '--root', source, '-o', join(dir, 'nope.tar'), 'nope:missing']);
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.match(/No such image: nope:missing/);
    expect(await readFile(join(dir, 'nope.tar')).catch(() => undefined)).to.equal(undefined);
    expect((await runCli(['save', '--root', source])).code).to.equal(2);
  });

  it('load refuses a file that is not an image archive', async () => {
    const file = join(dir, 'not-an-archive.tar');
    await writeFile(file, Buffer.alloc(1024)); // an empty tar: two zero blocks
    const loaded = await runCli(['load', '--root', fresh(), '-i', file]);
    expect(loaded.code).to.equal(1);
    expect(loaded.stderr).to.match(/neither manifest.json nor index.json/);
  });
});

describe('CLI save and load against the reference [reference]', function () {
  this.timeout(240_000);
  let dir: string | undefined;

  before(async function () {
    if (!existsSync('/usr/bin/docker')) return this.skip();
    const up = await new Promise<boolean>((resolve) => execFile('docker', ['image', 'inspect', 'localhost/busybox:test'], { timeout: 20_000 }, (error) => resolve(error === null)));
    if (!up) return this.skip();
    dir = await mkdtemp(join(tmpdir(), 'tsbuild-save-load-ref-'));
  });
  after(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  const docker = async (args: string[]): Promise<string> => {
    return new Promise((resolve, reject) => execFile('docker', args, { maxBuffer: 64 << 20 }, (error, stdout) => (error ? reject(error) : resolve(stdout))));
  };

  it("loads what docker save writes with Docker's image ID and manifest digest", async () => {
    const file = join(dir!, 'from-docker.tar');
    await docker(['save', '-o', file, 'localhost/busybox:test']);
    const root = join(dir!, 'root');
    const loaded = await runCli(['load', '--root', root, '-i', file]);
    expect(loaded.stdout).to.equal('Loaded image: localhost/busybox:test\n');
    const id = (await docker(['image', 'inspect', '--format', '{{.Id}}', 'localhost/busybox:test'])).trim();
    const index = JSON.parse(execFileSync('tar', ['-xOf', file, 'index.json']).toString());
    const shown = await runCli(['images', '--root', root, '--digests', '--no-trunc']);
    expect(shown.stdout).to.contain(id).and.contain(index.manifests[0].digest);
  });

  it('docker load reads what save writes, and runs it', async () => {
    const root = join(dir!, 'own');
    await importBusybox(root);
    const tag = `tsbuild-save-reference:${process.pid}`;
    expect((await runCli(['tag', '--root', root, 'localhost/busybox:test', tag])).code).to.equal(0);
    const file = join(dir!, 'to-docker.tar');
    expect((await runCli(['save', '--root', root, '-o', file, tag])).code).to.equal(0);
    try {
      expect(await docker(['load', '-i', file])).to.contain(`Loaded image: ${tag}`);
      expect(await docker(['run', '--rm', '--network', 'none', tag, 'echo', 'saved'])).to.equal('saved\n');
    } finally {
      await docker(['rmi', '-f', tag]).catch(() => undefined);
    }
  });
});
