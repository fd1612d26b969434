// SECURITY lesson 4 (CVE-2014-9357, CVE-2019-14271, GHSA-x86f-5xw2-fm2r): nothing from an image's
// rootfs ever runs with host privileges. Every process the engine starts on the host side is listed
// here with how its program is chosen; a new spawn/execFile call fails this spec until it is
// reviewed and added. The behavioural side is in archives.spec.ts (B9: planted decompressors).
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = join(fileURLToPath(import.meta.url), '../../../..');
// `name(` not preceded by `.` (RegExp.exec) — and `promisify(execFile)(` too.
const CALL = /(?<![.\w])(spawn|spawnSync|execFile|execFileSync|execSync|exec|fork)\)?\(\s*([^,)]+)/g;

/** file → the first arguments of its child-process calls, and why each is a host program. */
const REVIEWED: Record<string, Record<string, string>> = {
  'executor/sandbox/sandbox-process.ts': { 'command.file': 'the sandbox entry: util-linux by absolute path (host-tools.ts)' },
  'executor/snapshot/host-command.ts': { binary: 'findHostBinary: /usr/sbin, /usr/bin, /sbin, /bin only' },
  'executor/snapshot/command-server.ts': { "'/bin/sh'": 'the host shell by absolute path; it only execs the absolute paths host-command.ts found' },
  'executor/copy/archive-head.ts': { tool: 'hostTool → findHostBinary, never PATH' },
  'cache/stale-mounts.ts': { binary: 'umount found by absolute path' },
  'lib/runner/detached.ts': { 'process.execPath': 'node itself' },
  'lib/registry/credentials.ts': { '`docker-credential-${helper}`': 'Docker credential helpers are PATH programs by design; the name is validated' },
  'executor/sandbox/host-tools.ts': { unshare: 'util-linux unshare by absolute path' },
  'executor/sandbox/host-privileges.ts': { 'tools.unshare': 'util-linux unshare by absolute path (host-tools.ts)' },
  'executor/sandbox/subid-owners.ts': { unshare: 'util-linux unshare by absolute path (host-tools.ts); chown and find it runs are absolute paths too' },
  'lib/runner/netns-relay.ts': { setpriv: 'util-linux setpriv by absolute path (hostTool); it runs nsenter by absolute path and node itself' },
};

/** Known gaps: bare names resolved through the engine's PATH (none left). */
const KNOWN_GAPS: string[] = [];

function sources(dir: string): string[] {
  return readdirSync(join(REPO, dir), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'))
    .map((name) => join(dir, name));
}

function childProcessCalls(file: string): string[] {
  const text = readFileSync(join(REPO, file), 'utf8');
  if (!/from 'node:child_process'/.test(text)) return [];
  return [...text.matchAll(CALL)].map((match) => match[2]!.trim());
}

describe('security: host-side processes (lesson 4)', () => {
  const files = ['executor', 'lib', 'cache', 'parser', 'bin'].flatMap((dir) => { try { return sources(dir); } catch { return []; } });

  it('every child-process call of the engine is a reviewed host program', () => {
    const unreviewed = files.filter((file) => !KNOWN_GAPS.includes(file)).flatMap((file) => childProcessCalls(file).filter((arg) => REVIEWED[file]?.[arg] === undefined).map((arg) => `${file}: ${arg}`));
    expect(unreviewed).to.deep.equal([]);
  });

  it('no host-side call takes its program from PATH, except Docker credential helpers', () => {
    const bare = files.filter((file) => !KNOWN_GAPS.includes(file)).flatMap((file) => childProcessCalls(file).filter((arg) => /^['"][a-z]/.test(arg)).map((arg) => `${file}: ${arg}`));
    expect(bare).to.deep.equal([]);
  });

  it('the runner finds mountpoint and umount by absolute path', () => {
    expect(childProcessCalls('lib/runner/container-admin.ts').filter((arg) => /^['"]/.test(arg))).to.deep.equal([]);
  });
});
