import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../support/run-cli.js';
import { mkTar } from '../../support/mk-tar.js';

describe('CLI image commands (import, images, tag, inspect, history, rmi)', () => {
  let dir: string;
  let root: string;
  const tar = mkTar([{ name: 'bin/', type: 'dir' }, { name: 'bin/x', data: 'hi\n' }]);
  const cli = (...argv: string[]) => runCli(['--root', root, ...argv], { cwd: dir });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tsbuild-cli-images-'));
    root = join(dir, 'root');
    await writeFile(join(dir, 'rootfs.tar'), tar);
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  async function importTar(...extra: string[]): Promise<string> {
    const result = await cli('import', ...extra, 'rootfs.tar', 'localhost/app:v1');
    expect(result.stderr).to.equal('');
    expect(result.code).to.equal(0);
    expect(result.stdout).to.match(/^sha256:[a-f0-9]{64}\n$/);
    return result.stdout.trim();
  }

  it('import prints the image ID; images lists it with Docker columns; -q and --digests', async () => {
    const id = await importTar('-c', 'CMD ["sh"]', '-c', 'ENV A=1', '-m', 'hello msg');
    const listed = await cli('images');
    expect(listed.stdout).to.equal(
      'REPOSITORY      TAG       IMAGE ID       CREATED   SIZE\n' +
      `localhost/app   v1        ${id.slice(7, 19)}   N/A       3B\n`); // Docker's Size: file contents, not tar bytes
    expect((await cli('images', '-q')).stdout).to.equal(`${id.slice(7, 19)}\n`);
    expect((await cli('images', '-q', '--no-trunc')).stdout).to.equal(`${id}\n`);
    expect((await cli('images', '--digests')).stdout.split('\n')[0]).to.equal('REPOSITORY      TAG       DIGEST                                                                    IMAGE ID       CREATED   SIZE');
    expect((await cli('images', 'nginx')).stdout).to.equal('REPOSITORY   TAG       IMAGE ID   CREATED   SIZE\n');
  });

  it('images filters: reference patterns (repeatable, positional with wildcards) and dangling', async () => {
    const id = (await importTar()).slice(7, 19);
    await cli('tag', 'localhost/app:v1', 'web:2');
    const untagged = (await runCli(['--root', root, 'import', 'rootfs.tar'], { cwd: dir, env: { SOURCE_DATE_EPOCH: '0' } })).stdout.trim().slice(7, 19);
    const rows = async (...args: string[]): Promise<string[]> => (await cli('images', ...args)).stdout.trim().split('\n').slice(1).map((row) => row.split(/ +/).slice(0, 3).join(' '));
    expect(await rows('localhost/*')).to.deep.equal([`localhost/app v1 ${id}`]);
    expect(await rows('-f', 'reference=we?:*', '--filter', 'reference=localhost/app')).to.deep.equal([`web 2 ${id}`, `localhost/app v1 ${id}`]);
    expect(await rows('-f', 'reference=app')).to.deep.equal([]);
    expect(await rows('-f', 'dangling=true')).to.deep.equal([`<none> <none> ${untagged}`]);
    expect((await cli('images', '-q', '-f', 'dangling=false')).stdout).to.equal(`${id}\n${id}\n`);
    const bad = await cli('images', '-f', 'label=x');
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.include("invalid filter 'label=x'");
  });

  it('imports from stdin, reproducibly, with SOURCE_DATE_EPOCH setting the time', async () => {
    const fromFile = await importTar();
    const fromStdin = await runCli(['--root', root, 'import', '-', 'other'], { cwd: dir, stdin: tar });
    expect(fromStdin.stdout.trim()).to.equal(fromFile);
    const dated = await runCli(['--root', root, 'import', 'rootfs.tar'], { cwd: dir, env: { SOURCE_DATE_EPOCH: '0' } });
    expect(dated.stdout.trim()).to.not.equal(fromFile);
    const created = await cli('inspect', '--format', '{{.Created}}', dated.stdout.trim());
    expect(created.stdout).to.equal('1970-01-01T00:00:00Z\n');
  });

  it('imports from an http URL (gzip too): comment "Imported from URL" unless -m, 404 is an error', async () => {
    const gz = gzipSync(tar);
    const server = createServer((request, response) => {
      if (request.url === '/rootfs.tar.gz') response.end(gz);
      else response.writeHead(404, 'Not Found').end('no');
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const fromUrl = await cli('import', '-c', 'CMD ["sh"]', `${base}/rootfs.tar.gz`, 'web:1');
      expect(fromUrl.code, fromUrl.stderr).to.equal(0);
      const [json] = JSON.parse((await cli('inspect', 'web:1')).stdout) as { Comment: string; RootFS: { Layers: string[] }; Config: { Cmd: string[] } }[];
      expect(json!.Comment).to.equal(`Imported from ${base}/rootfs.tar.gz`);
      expect(json!.Config.Cmd).to.deep.equal(['sh']);
      expect(json!.RootFS.Layers).to.deep.equal([`sha256:${createHash('sha256').update(tar).digest('hex')}`]);
      const withMessage = await cli('import', '-m', 'same', `${base}/rootfs.tar.gz`);
      expect(withMessage.stdout).to.equal((await cli('import', '-m', 'same', 'rootfs.tar')).stdout);
      const missing = await cli('import', `${base}/nope.tar`);
      expect(missing.code).to.equal(1);
      expect(missing.stderr).to.include(`failed to GET ${base}/nope.tar with status 404 Not Found`);
      const ftp = await cli('import', 'ftp://example.com/x.tar');
      expect(ftp.code).to.equal(2);
    } finally {
      server.close();
    }
  });

  it('refuses a bad --change with exit 2 and stores nothing', async () => {
    const result = await cli('import', '-c', 'SHELL ["/bin/bash"]', 'rootfs.tar');
    expect(result.code).to.equal(2);
    expect(result.stderr).to.match(/SHELL is not a valid change command/);
    expect((await cli('images', '-q')).stdout).to.equal('');
  });

  it('tag and inspect: Docker-shaped JSON and --format templates', async () => {
    const id = await importTar('-c', 'CMD ["sh"]', '-c', 'ENV A=1 B=2');
    expect((await cli('tag', 'localhost/app:v1', 'nginx')).code).to.equal(0);
    const shown = await cli('inspect', 'nginx');
    const [json] = JSON.parse(shown.stdout) as Record<string, unknown>[];
    expect(json).to.include({ Id: id, Architecture: json!.Architecture, Os: 'linux', Comment: 'Imported from -', Size: 3 });
    expect(json!.RepoTags).to.deep.equal(['nginx:latest', 'localhost/app:v1']); // full names sorted: docker.io/… first
    expect(json!.Config).to.deep.equal({ Env: ['A=1', 'B=2'], Cmd: ['sh'] });
    // No Created key for an image without a creation time, as dockerd 26 shows one.
    expect(Object.keys(json!)).to.deep.equal(['Id', 'RepoTags', 'RepoDigests', 'Parent', 'Comment', 'DockerVersion', 'Author', 'Config', 'Architecture', 'Os', 'Size', 'RootFS', 'Metadata']);
    const formatted = await cli('inspect', '--format', '{{.Id}} {{.Config.Env}} {{json .Config}} {{.Config.Entrypoint}} {{json .Config.Entrypoint}}', 'nginx:latest', 'localhost/app:v1');
    const line = `${id} [A=1 B=2] {"Env":["A=1","B=2"],"Cmd":["sh"]} [] null\n`;
    expect(formatted.stdout).to.equal(line + line);
    const missing = await cli('inspect', 'nope');
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.equal('Error: No such object: nope\n');
    expect(missing.stdout).to.equal('[]\n');
  });

  it('history shows the import entry, newest first', async () => {
    const id = await importTar('-m', 'from a tar');
    expect((await cli('history', 'localhost/app:v1')).stdout).to.equal(
      'IMAGE          CREATED   CREATED BY   SIZE      COMMENT\n' +
      `${id.slice(7, 19)}   N/A                    3B        from a tar\n`);
    expect((await cli('history', '-q', '--no-trunc', 'localhost/app:v1')).stdout).to.equal(`${id}\n`);
  });

  it('rmi untags, deletes the last reference, and reports missing images with exit 1', async () => {
    const id = await importTar();
    await cli('tag', 'localhost/app:v1', 'localhost/app:v2');
    const first = await cli('rmi', 'localhost/app:v1');
    expect(first.stdout).to.equal('Untagged: localhost/app:v1\n');
    const second = await cli('rmi', 'localhost/app:v2', 'nope');
    expect(second.stdout).to.equal(`Untagged: localhost/app:v2\nDeleted: ${id}\n`);
    expect(second.stderr).to.equal('Error: No such image: nope:latest\n');
    expect(second.code).to.equal(1);
    expect((await cli('images', '-q')).stdout).to.equal('');
  });

  it('finds the root through TSBUILD_ROOT when --root is not given', async () => {
    const id = await importTar();
    const listed = await runCli(['images', '-q', '--no-trunc'], { cwd: dir, env: { TSBUILD_ROOT: root } });
    expect(listed.stdout).to.equal(`${id}\n`);
  });
});
