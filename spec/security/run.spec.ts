// SECURITY.md groups D and E end to end: hostile RUN steps, WORKDIR, USER and rootfs special
// paths through build() with the namespace sandbox. The host canary must stay untouched and its
// secret must reach no layer; what a step saw is written to a file of the image and read back.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { NamespaceSandbox } from '../../executor/sandbox/namespace-sandbox.js';
import { useHostileBuild } from './hostile-build.js';
import { imageEntry } from './image-files.js';

describe('security D/E: hostile RUN, WORKDIR, USER through build() [root]', function () {
  this.timeout(300000);
  const hostile = useHostileBuild();

  const fileOf = async (tag: string, path: string) => {
    const entry = await imageEntry(hostile().fixture, tag, path);
    return entry?.kind === 'file' ? entry.text : undefined;
  };

  it('D1: WORKDIR /proc/self/fd/N (CVE-2024-21626) reaches no host file and no fd beyond 0-2 leaks in', async () => {
    for (let fd = 3; fd <= 12; fd += 1) {
      const text = `FROM busybox:test\nWORKDIR /proc/self/fd/${fd}\nRUN cat ../../../../../../..${hostile().canary.dir}/secret > /tmp/leak 2>&1; ls -l /proc/self/fd > /tmp/fds 2>&1; true\n`;
      const result = await hostile().attempt(text, { tags: [`d1:${fd}`], network: 'none' });
      if (result instanceof Error) continue;
      const fds = (await fileOf(`d1:${fd}`, 'tmp/fds')) ?? '';
      // ls holds its own fd 3 on /proc/self/fd; anything else beyond stdio is a leak.
      const numbers = [...fds.matchAll(/ (\d+) -> (.*)$/gm)].filter(([, n, target]) => Number(n) > 2 && !/\/proc\/\d+\/fd/.test(target!));
      expect(numbers.map((m) => m[0]), `fds with WORKDIR /proc/self/fd/${fd}`).to.deep.equal([]);
    }
  });

  const userCases: Array<[string, string | 'error']> = [
    // Stricter than BuildKit (which takes any uint32): ids from 2^31 up are refused, so nothing
    // signed anywhere can read them as negative.
    ['2147483647', '2147483647'],
    ['2147483648', 'error'],
    ['4294967294', 'error'],
    ['4294967295', 'error'],
    ['4294967296', 'error'],
    ['-1', 'error'],
    ['1e3', 'error'],
    ['00', '0'],
    ['1000', '1000'],
  ];
  for (const [spec, expected] of userCases) {
    it(`D3: USER ${spec} runs as ${expected === 'error' ? 'nobody (the build fails)' : expected}, never a wrapped 0`, async () => {
      const result = await hostile().attempt(`FROM busybox:test\nUSER ${spec}\nRUN id -u > /tmp/uid\n`, { tags: [`d3:${spec}`], network: 'none' });
      if (expected === 'error') {
        expect(result).to.be.instanceOf(Error);
        return;
      }
      expect(result).not.to.be.instanceOf(Error);
      expect(await fileOf(`d3:${spec}`, 'tmp/uid')).to.equal(`${expected}\n`);
    });
  }

  it('D3: a passwd user named "1000" with uid 0 does not make USER 1000 root (CVE-2016-3697)', async () => {
    const text = 'FROM busybox:test\nRUN echo "1000:x:0:0::/:/bin/sh" >> /etc/passwd\nUSER 1000\nRUN id -u > /tmp/uid\n';
    expect(await hostile().attempt(text, { tags: ['d3name:x'], network: 'none' })).not.to.be.instanceOf(Error);
    expect(await fileOf('d3name:x', 'tmp/uid')).to.equal('1000\n');
  });

  it('D5: USER through an /etc/passwd symlink to a host file does not read the host file', async () => {
    const text = `FROM busybox:test\nRUN echo "evil:x:0:0::/:/bin/sh" > ${hostile().canary.dir}/passwd; rm /etc/passwd && ln -s ../../../../..${hostile().canary.dir}/passwd /etc/passwd\nUSER evil\nRUN id -u > /tmp/uid\n`;
    // The in-root target exists (the RUN wrote it inside the rootfs), so evil resolves from there;
    // what matters is that the host canary folder has no passwd and is never consulted.
    const result = await hostile().attempt(text, { tags: ['d5:x'], network: 'none' });
    if (!(result instanceof Error)) expect(await fileOf('d5:x', 'tmp/uid')).to.equal('0\n');
  });

  it('D6: /dev, /etc/hosts, /etc/resolv.conf and /etc/hostname as symlinks to host files are handled in-root', async () => {
    const corePattern = readFileSync('/proc/sys/kernel/core_pattern', 'utf8');
    const c = hostile().canary.dir;
    const text = [
      'FROM busybox:test',
      `RUN rm -rf /dev /etc/hosts /etc/resolv.conf /etc/hostname; ln -s ${c} /dev; ln -s ${c}/victim /etc/hosts; ln -s ${c}/secret /etc/resolv.conf; ln -s ${c}/empty/hostname /etc/hostname`,
      'RUN echo x > /dev/null; cat /etc/hosts /etc/resolv.conf > /tmp/seen 2>&1; echo y > /etc/hosts; true',
      'RUN rm -rf /dev && mkdir /dev && ln -s /proc/sys/kernel/core_pattern /dev/null',
      'RUN echo "|/bin/false pwned" > /dev/null; true',
      '',
    ].join('\n');
    await hostile().attempt(text, { tags: ['d6:x'], network: 'none' });
    expect(readFileSync('/proc/sys/kernel/core_pattern', 'utf8')).to.equal(corePattern);
  });

  it('D6: /proc replaced by a symlink to / fails the step instead of mounting over the host', async () => {
    const result = await hostile().attempt('FROM busybox:test\nRUN rm -rf /proc && ln -s / /proc\nRUN true\n', { network: 'none' });
    expect(result).to.be.instanceOf(Error);
  });

  it('I2: a --secret used by RUN reaches no layer, config, history or cache record (canary secret as the secret)', async () => {
    const text = 'FROM busybox:test\nRUN --mount=type=secret,id=tok cat /run/secrets/tok > /dev/null && test -s /run/secrets/tok && echo used > /tmp/used\n';
    const result = await hostile().attempt(text, { tags: ['i2:x'], network: 'none', secrets: { tok: `${hostile().canary.dir}/secret` } });
    expect(result).not.to.be.instanceOf(Error);
    expect(await fileOf('i2:x', 'tmp/used')).to.equal('used\n');
    // afterEach searches every file under the root, gzip blobs decompressed, for the secret bytes.
  });

  describe('E5: --network none', () => {
    let server: Server;
    let requests = 0;
    before(async () => {
      server = createServer((_req, res) => {
        requests += 1;
        res.end('reached\n');
      });
      await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    for (const how of ['build option', 'RUN --network=none'] as const) {
      it(`leaves only lo and reaches no host address (${how})`, async () => {
        const port = (server.address() as AddressInfo).port;
        const hosts = ['127.0.0.1', ...Object.values(networkInterfaces()).flat().filter((i) => i && i.family === 'IPv4').map((i) => i!.address)];
        const gets = hosts.map((host) => `wget -q -T 2 -O - http://${host}:${port}/ >> /tmp/net 2>&1`).join('; ');
        const flag = how === 'build option' ? '' : '--network=none ';
        const text = `FROM busybox:test\nRUN ${flag}ls /sys/class/net > /tmp/links; ${gets}; true\n`;
        const tag = `e5:${how === 'build option' ? 'opt' : 'flag'}`;
        const result = await hostile().attempt(text, { tags: [tag], noCache: true, ...(how === 'build option' ? { network: 'none' } : {}) });
        expect(result).not.to.be.instanceOf(Error);
        expect(await fileOf(tag, 'tmp/links')).to.equal('lo\n');
        expect(requests).to.equal(0);
      });
    }
  });

  it('E3: a host process is invisible and unkillable from RUN', async () => {
    const { spawn } = await import('node:child_process');
    const marker = `MARKER-${process.pid}-${Date.now()}`;
    const sleeper = spawn('sleep', ['1000'], { argv0: marker, stdio: 'ignore' });
    try {
      const text = `FROM busybox:test\nRUN grep -l ${marker.replace('MARKER', 'MARK""ER')} /proc/*/cmdline > /tmp/found 2>/dev/null; kill -9 ${sleeper.pid} 2>> /tmp/found; cat /proc/1/cmdline | tr '\\0' ' ' >> /tmp/found; true\n`;
      expect(await hostile().attempt(text, { tags: ['e3:x'], network: 'none' })).not.to.be.instanceOf(Error);
      expect(await fileOf('e3:x', 'tmp/found')).not.to.include(marker);
      expect(sleeper.exitCode).to.equal(null);
      process.kill(sleeper.pid!, 0);
    } finally {
      sleeper.kill('SIGKILL');
    }
  });

  it('E6: a fork loop and a runaway write end in a failed step under the sandbox limits; the host stays responsive', async () => {
    const sandbox = new NamespaceSandbox({ limits: { pids: 64, fileSizeBytes: 8 * 1024 * 1024 } });
    let lag = 0;
    let last = Date.now();
    const probe = setInterval(() => {
      lag = Math.max(lag, Date.now() - last - 10);
      last = Date.now();
    }, 10);
    try {
      const fork = 'i=0; while [ $i -lt 2000 ]; do sleep 30 & i=$((i+1)); done';
      const forkResult = await hostile().attempt(`FROM busybox:test\nUSER 1000:1000\nRUN ${fork}\n`, { sandbox, network: 'none' });
      expect(forkResult).to.be.instanceOf(Error);
      const writeResult = await hostile().attempt('FROM busybox:test\nRUN head -c 100000000 /dev/zero > /tmp/big\n', { sandbox, network: 'none' });
      expect(writeResult).to.be.instanceOf(Error);
    } finally {
      clearInterval(probe);
    }
    expect(lag).to.be.lessThan(2000);
  });
});
