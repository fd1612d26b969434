// USER and --chown resolution. Expected values were taken from `id` and `ls -ln` in builds run by
// BuildKit (Docker's builder) on busybox with the same passwd and group lines.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { homeDirectory, MAX_USER_FILE_BYTES, parseGroup, parsePasswd, resolveChown, resolveUserSpec } from '../../executor/users.js';

const made: string[] = [];
after(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const PASSWD = [
  'root:x:0:0:root:/root:/bin/sh',
  'nobody:x:65534:65534:nobody:/nonexistent:/bin/false',
  'alice:x:1000:1000::/home/alice:/bin/sh',
  'bob:x:1001:50::/:/bin/sh',
  '1000:x:0:0:numeric name:/:/bin/sh',
].join('\n');
const GROUP = ['root:x:0:', 'nogroup:x:65534:alice', 'alice:x:1000:', 'dev:x:2000:alice,bob', 'ops:x:3000:bob,alice'].join('\n');

function rootfsWith(files: { passwd?: string; group?: string } = { passwd: PASSWD, group: GROUP }): string {
  const dir = mkdtempSync(join(tmpdir(), 'users-spec-'));
  made.push(dir);
  mkdirSync(join(dir, 'etc'));
  if (files.passwd !== undefined) writeFileSync(join(dir, 'etc', 'passwd'), files.passwd);
  if (files.group !== undefined) writeFileSync(join(dir, 'etc', 'group'), files.group);
  return dir;
}

async function errorOf(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('executor: resolveUserSpec (USER)', () => {
  const table: [string, number, number, number[]][] = [
    ['', 0, 0, [0]],
    ['root', 0, 0, [0]],
    ['alice', 1000, 1000, [1000, 65534, 2000, 3000]],
    ['bob', 1001, 50, [50, 2000, 3000]],
    ['alice:ops', 1000, 3000, [3000]],
    ['alice:5555', 1000, 5555, [5555]],
    ['1000', 1000, 1000, [1000, 65534, 2000, 3000]], // numeric uid found in passwd: its groups too
    ['1234', 1234, 0, [0]],
    ['1234:1234', 1234, 1234, [1234]],
    ['bob:dev', 1001, 2000, [2000]],
    ['7:ops', 7, 3000, [3000]],
    ['nobody', 65534, 65534, [65534]],
    ['00', 0, 0, [0]],
    ['+5', 5, 0, [0]],
    ['5:+7', 5, 7, [7]],
    ['2147483647', 2147483647, 0, [0]],
  ];
  for (const [spec, uid, gid, additionalGids] of table) {
    it(`USER ${JSON.stringify(spec)} → ${uid}:${gid} groups ${additionalGids.join(',')}`, async () => {
      const resolved = await resolveUserSpec(rootfsWith(), spec);
      expect(resolved.uid).to.equal(uid);
      expect(resolved.gid).to.equal(gid);
      expect([...resolved.additionalGids].sort()).to.deep.equal([...additionalGids].sort());
      expect(resolved.additionalGids[0]).to.equal(gid);
    });
  }

  it('never takes a user named like a number for that uid (CVE-2016-3697)', async () => {
    const rootfs = rootfsWith({ passwd: '1000:x:0:0::/:/bin/sh\n', group: '' });
    expect(await resolveUserSpec(rootfs, '1000')).to.deep.equal({ uid: 1000, gid: 0, additionalGids: [0] });
  });

  for (const spec of ['2147483648', '4294967296', '4294967295:0', '-1', '0:-1', '5:2147483648', '99999999999999999999']) {
    it(`refuses out-of-range ids instead of wrapping: USER ${spec}`, async () => {
      const error = await errorOf(resolveUserSpec(rootfsWith(), spec));
      expect(error.code).to.equal('E_STEP');
      expect(error.message).to.equal('uids and gids must be in range 0-2147483647');
    });
  }

  it('names an unknown user or group in BuildKit words', async () => {
    expect((await errorOf(resolveUserSpec(rootfsWith(), 'daemon'))).message).to.equal('unable to find user daemon: no matching entries in passwd file');
    expect((await errorOf(resolveUserSpec(rootfsWith(), '1e3'))).message).to.equal('unable to find user 1e3: no matching entries in passwd file');
    expect((await errorOf(resolveUserSpec(rootfsWith(), 'alice:wheel'))).message).to.equal('unable to find group wheel: no matching entries in group file');
  });

  it('works with numeric ids when passwd and group are missing, and fails for names', async () => {
    const rootfs = rootfsWith({});
    expect(await resolveUserSpec(rootfs, '1234:55')).to.deep.equal({ uid: 1234, gid: 55, additionalGids: [55] });
    expect(await resolveUserSpec(rootfs, '')).to.deep.equal({ uid: 0, gid: 0, additionalGids: [0] });
    expect((await errorOf(resolveUserSpec(rootfs, 'root'))).message).to.include('unable to find user root');
  });

  it('skips malformed lines instead of reading them as uid 0', async () => {
    const passwd = 'evil:x:abc:def::/:/bin/sh\nshort:x\n\n# comment\nempty:x:::\nbig:x:4294967296:0::/:/bin/sh\n  ok:x:7:8::/:/bin/sh  \n';
    const rootfs = rootfsWith({ passwd, group: 'g:x:zz:ok\n' });
    for (const name of ['evil', 'short', 'empty', 'big']) {
      expect((await errorOf(resolveUserSpec(rootfs, name))).message, name).to.include(`unable to find user ${name}`);
    }
    expect(await resolveUserSpec(rootfs, 'ok')).to.deep.equal({ uid: 7, gid: 8, additionalGids: [8] });
  });

  it('reads a symlinked /etc/passwd inside the rootfs, never the host file it points to', async () => {
    const host = mkdtempSync(join(tmpdir(), 'users-host-'));
    made.push(host);
    writeFileSync(join(host, 'passwd'), 'evil:x:0:0::/:/bin/sh\n');
    const rootfs = rootfsWith({ group: '' });
    symlinkSync(`../../../../../../../../${host}/passwd`, join(rootfs, 'etc', 'passwd'));
    expect((await errorOf(resolveUserSpec(rootfs, 'evil'))).message).to.equal('unable to find user evil: no matching entries in passwd file');
    // The same link, re-rooted, finds a file placed at that path inside the rootfs.
    mkdirSync(join(rootfs, host), { recursive: true });
    writeFileSync(join(rootfs, host, 'passwd'), 'evil:x:4242:4243::/:/bin/sh\n');
    expect(await resolveUserSpec(rootfs, 'evil')).to.deep.equal({ uid: 4242, gid: 4243, additionalGids: [4243] });
  });

  it('treats a FIFO /etc/group as absent instead of hanging', async () => {
    const rootfs = rootfsWith({ passwd: PASSWD });
    execFileSync('mkfifo', [join(rootfs, 'etc', 'group')]);
    expect(await resolveUserSpec(rootfs, 'alice')).to.deep.equal({ uid: 1000, gid: 1000, additionalGids: [1000] });
  });

  it('refuses an /etc/group larger than 10 MiB quickly', async () => {
    const rootfs = rootfsWith({ passwd: PASSWD, group: `${'x'.repeat(MAX_USER_FILE_BYTES)}\n` });
    const error = await errorOf(resolveUserSpec(rootfs, 'alice'));
    expect(error.message).to.equal(`/etc/group exceeds ${MAX_USER_FILE_BYTES} bytes`);
  });

  it('parses fields and member lists with surrounding space', () => {
    expect(parsePasswd('a:x:1:2:g:/h:/s\n')).to.deep.equal([{ name: 'a', uid: 1, gid: 2, home: '/h' }]);
    expect(parseGroup('g:x:3: a , b ,,\n')).to.deep.equal([{ name: 'g', gid: 3, members: ['a', 'b'] }]);
  });
});

describe('executor: homeDirectory (HOME when the env has none)', () => {
  it('is the passwd home of the uid, else /', async () => {
    expect(await homeDirectory(rootfsWith(), 0)).to.equal('/root');
    expect(await homeDirectory(rootfsWith(), 65534)).to.equal('/nonexistent');
    expect(await homeDirectory(rootfsWith(), 1234)).to.equal('/');
    expect(await homeDirectory(rootfsWith({}), 0)).to.equal('/');
  });
});

describe('executor: resolveChown (COPY/ADD --chown)', () => {
  const table: [string, number, number][] = [
    ['1001', 1001, 1001], // a bare number is both ids, passwd not consulted
    ['bob', 1001, 50],
    ['bob:dev', 1001, 2000],
    [':dev', 0, 2000],
    ['7:2000', 7, 2000],
    ['7:ops', 7, 3000],
    ['alice:9', 1000, 9],
  ];
  for (const [spec, uid, gid] of table) {
    it(`--chown=${spec} → ${uid}:${gid}`, async () => {
      expect(await resolveChown(rootfsWith(), spec)).to.deep.equal({ uid, gid });
    });
  }

  it('needs no passwd for numeric owners and names unknown ones', async () => {
    expect(await resolveChown(rootfsWith({}), '5:6')).to.deep.equal({ uid: 5, gid: 6 });
    expect((await errorOf(resolveChown(rootfsWith(), 'carol'))).message).to.equal('unable to find user carol: no matching entries in passwd file');
    expect((await errorOf(resolveChown(rootfsWith(), 'bob:wheel'))).message).to.equal('unable to find group wheel: no matching entries in group file');
    expect((await errorOf(resolveChown(rootfsWith(), '4294967296'))).message).to.equal('uids and gids must be in range 0-2147483647');
  });
});
