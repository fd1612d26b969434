// containerd's pkg/archive TestBreakouts table (34 cases at containerd 301026e5), restated for our
// layer reader. `tree` is the folder before the layer, `entries` the layer, `check` what must hold
// after it in a flat tree (the `remove` whiteout mode, which is containerd's Apply). One deliberate
// difference, marked `ours`: an entry named `..` is refused as moby's go-archive refuses it.
import type { ArchiveErrorReason } from '../../../executor/snapshot/archive-error.js';
import type { TarFixtureEntry } from '../../support/mk-tar.js';
import { createDir, createFile, createLink, createSymlink, expectMissing, expectNotSameFile, expectSameFile, expectSameSymlink, readInRoot, type TreeStep } from './fs-fixture.js';
import { expect } from 'chai';
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';

export interface BreakoutContext {
  readonly canaryDir: string;
  /** A unique name for SymlinkOverridePath's host /tmp probe. */
  readonly tag: string;
}

export interface BreakoutCase {
  readonly name: string;
  readonly tree?: readonly TreeStep[];
  readonly entries: (ctx: BreakoutContext) => TarFixtureEntry[];
  readonly check?: (root: string, ctx: BreakoutContext) => Promise<unknown>;
  readonly error?: ArchiveErrorReason;
  /** Why we differ from containerd, when we do. */
  readonly ours?: string;
  /**
   * The error in overlay mode, where the layer lands in a fresh folder: a hard link may only point
   * into the same layer (as with moby's overlay2 driver); real layers are written that way.
   */
  readonly overlayError?: ArchiveErrorReason;
}

const dir = (name: string, mode = 0o755): TarFixtureEntry => ({ name, type: 'dir', mode });
const file = (name: string, data: string, mode = 0o644): TarFixtureEntry => ({ name, data, mode });
const symlink = (target: string, name: string): TarFixtureEntry => ({ name, type: 'symlink', linkname: target });
const link = (target: string, name: string): TarFixtureEntry => ({ name, type: 'link', linkname: target });

const unbroken = async (root: string) => expect(await readInRoot(root, 'etc/unbroken')).to.equal('unbroken');
const sameFile = (a: string, b: string) => (root: string) => expectSameFile(root, a, b);
const passwdTree = [createDir('etc'), createFile('etc/passwd', 'all users')];

export const breakoutCases: readonly BreakoutCase[] = [
  { name: 'SymlinkAbsolute', entries: () => [dir('etc'), symlink('/etc', 'localetc'), file('/localetc/unbroken', 'unbroken')], check: unbroken },
  { name: 'SymlinkUpAndOut', entries: () => [dir('etc'), dir('dummy'), symlink('/dummy/../etc', 'localetc'), file('/localetc/unbroken', 'unbroken')], check: unbroken },
  { name: 'SymlinkMultipleAbsolute', entries: () => [dir('etc'), dir('dummy'), symlink('/etc', '/dummy/etc'), symlink('/dummy/etc', 'localetc'), file('/dummy/etc/unbroken', 'unbroken')], check: unbroken },
  { name: 'SymlinkMultipleRelative', entries: () => [dir('etc'), dir('dummy'), symlink('/etc', '/dummy/etc'), symlink('./dummy/etc', 'localetc'), file('/dummy/etc/unbroken', 'unbroken')], check: unbroken },
  {
    name: 'SymlinkEmptyFile',
    entries: () => [dir('etc'), file('etc/emptied', 'notempty'), symlink('/etc', 'localetc'), file('/localetc/emptied', '')],
    check: async (root) => expect(await readInRoot(root, 'etc/emptied')).to.equal(''),
  },
  { name: 'HardlinkRelative', entries: () => [dir('etc', 0o770), file('/etc/passwd', 'inside'), dir('breakouts'), symlink('../../etc', 'breakouts/d1'), link('/breakouts/d1/passwd', 'breakouts/mypasswd')], check: sameFile('/breakouts/mypasswd', '/etc/passwd') },
  {
    name: 'HardlinkDownAndOut',
    entries: () => [dir('etc', 0o770), file('/etc/passwd', 'inside'), dir('breakouts'), dir('downandout'), symlink('../downandout/../../etc', 'breakouts/d1'), link('/breakouts/d1/passwd', 'breakouts/mypasswd')],
    check: sameFile('/breakouts/mypasswd', '/etc/passwd'),
  },
  { name: 'HardlinkAbsolute', entries: () => [dir('etc', 0o770), file('/etc/passwd', 'inside'), symlink('/etc', 'localetc'), link('/localetc/passwd', 'localpasswd')], check: sameFile('localpasswd', '/etc/passwd') },
  { name: 'HardlinkRelativeLong', entries: () => [dir('etc', 0o770), file('/etc/passwd', 'inside'), symlink('../../../../../../../etc', 'localetc'), link('/localetc/passwd', 'localpasswd')], check: sameFile('localpasswd', '/etc/passwd') },
  { name: 'HardlinkRelativeUpAndOut', entries: () => [dir('etc', 0o770), file('/etc/passwd', 'inside'), symlink('upandout/../../../etc', 'localetc'), link('/localetc/passwd', 'localpasswd')], check: sameFile('localpasswd', '/etc/passwd') },
  { name: 'HardlinkDirectRelative', entries: () => [dir('etc', 0o770), file('/etc/passwd', 'inside'), link('../../../../../etc/passwd', 'localpasswd')], check: sameFile('localpasswd', '/etc/passwd') },
  { name: 'HardlinkDirectAbsolute', entries: () => [dir('etc', 0o770), file('/etc/passwd', 'inside'), link('/etc/passwd', 'localpasswd')], check: sameFile('localpasswd', '/etc/passwd') },
  {
    name: 'SymlinkParentDirectory',
    entries: () => [dir('etc', 0o770), file('/etc/passwd', 'inside'), symlink('/etc/', '..'), link('/etc/passwd', 'localpasswd')],
    error: 'invalid-entry-name',
    ours: 'containerd skips an entry named `..`; we refuse the archive like moby go-archive ("invalid entry name")',
  },
  { name: 'SymlinkEmptyFilename', entries: () => [dir('etc', 0o770), file('/etc/passwd', 'inside'), symlink('/etc/', ''), link('/etc/passwd', 'localpasswd')], check: sameFile('/localpasswd', '/etc/passwd') },
  { name: 'SymlinkParentRelative', entries: () => [dir('etc', 0o770), file('/etc/passwd', 'inside'), symlink('/etc/', 'localetc/sub/..'), link('/etc/passwd', '/localetc/localpasswd')], check: sameFile('/localetc/localpasswd', '/etc/passwd') },
  { name: 'SymlinkSlashEnded', entries: () => [dir('etc', 0o770), file('/etc/passwd', 'inside'), dir('localetc/', 0o770), link('/etc/passwd', '/localetc/localpasswd')], check: sameFile('/localetc/localpasswd', '/etc/passwd') },
  {
    name: 'SymlinkOverrideDirectory',
    overlayError: 'link-target',
    tree: [createDir('etc'), createFile('etc/passwd', 'inside'), createDir('localetc')],
    entries: () => [symlink('/etc', 'localetc'), link('/etc/passwd', '/localetc/localpasswd')],
    check: sameFile('/localetc/localpasswd', '/etc/passwd'),
  },
  {
    name: 'SymlinkOverrideDirectoryRelative',
    overlayError: 'link-target',
    tree: [createDir('etc'), createFile('etc/passwd', 'inside'), createDir('localetc')],
    entries: () => [symlink('../../etc', 'localetc'), link('/etc/passwd', '/localetc/localpasswd')],
    check: sameFile('/localetc/localpasswd', '/etc/passwd'),
  },
  {
    name: 'DirectoryOverrideSymlink',
    overlayError: 'link-target',
    tree: [createDir('etc'), createFile('etc/passwd', 'inside'), createSymlink('/etc', 'localetc')],
    entries: () => [dir('/localetc/'), link('/etc/passwd', '/localetc/localpasswd')],
    check: sameFile('/localetc/localpasswd', '/etc/passwd'),
  },
  {
    name: 'DirectoryOverrideSymlinkAndHardlink',
    tree: [createDir('etc'), createFile('etc/passwd', 'inside'), createSymlink('etc', 'localetc'), createLink('etc/passwd', 'etc/localpasswd')],
    entries: () => [dir('/localetc/'), file('/localetc/localpasswd', 'different')],
    check: (root) => expectNotSameFile(root, '/localetc/localpasswd', '/etc/passwd'),
  },
  { name: 'WhiteoutRootParent', tree: passwdTree, entries: () => [file('.wh...', '')], error: 'invalid-whiteout' },
  { name: 'WhiteoutParent', tree: passwdTree, entries: () => [file('etc/.wh...', '')], error: 'invalid-whiteout' },
  { name: 'WhiteoutRoot', tree: passwdTree, entries: () => [file('.wh..', '')], error: 'invalid-whiteout' },
  { name: 'WhiteoutCurrentDirectory', tree: passwdTree, entries: () => [file('etc/.wh..', '')], error: 'invalid-whiteout' },
  {
    name: 'WhiteoutSymlink',
    tree: [...passwdTree, createSymlink('/etc', 'localetc')],
    entries: () => [file('.wh.localetc', '')],
    check: async (root) => {
      expect(await readInRoot(root, 'etc/passwd')).to.equal('all users');
      await expectMissing(root, 'localetc');
    },
  },
  {
    name: 'WhiteoutSymlinkPath',
    tree: [...passwdTree, createFile('etc/whitedout', 'ahhhh whiteout'), createSymlink('/etc', 'localetc')],
    entries: () => [file('localetc/.wh.whitedout', '')],
    check: async (root) => {
      expect(await readInRoot(root, 'etc/passwd')).to.equal('all users');
      await expectMissing(root, 'etc/whitedout');
    },
  },
  {
    name: 'WhiteoutDirectoryName',
    tree: [...passwdTree, createFile('etc/whitedout', 'ahhhh whiteout'), createSymlink('/etc', 'localetc')],
    entries: () => [file('.wh.etc/somefile', 'non-empty')],
    check: async (root) => {
      expect(await readInRoot(root, 'etc/passwd')).to.equal('all users');
      expect(await readInRoot(root, '.wh.etc/somefile')).to.equal('non-empty');
    },
  },
  {
    name: 'WhiteoutDeadSymlinkParent',
    tree: [...passwdTree, createSymlink('/dne', 'localetc')],
    entries: () => [file('localetc/.wh.etc', '')],
    check: async (root) => expect(await readInRoot(root, 'etc/passwd')).to.equal('all users'),
  },
  {
    name: 'WhiteoutRelativePath',
    tree: [...passwdTree, createSymlink('/dne', 'localetc')],
    entries: () => [file('dne/../.wh.etc', '')],
    check: (root) => expectMissing(root, 'etc/passwd'),
  },
  {
    name: 'SymlinkOverridePath',
    entries: ({ tag }) => [
      dir('foo'), dir('foo/tmp'), file(`foo/tmp/breakout-${tag}`, '\x00\x01\x02'),
      symlink('/', 'foo'), file(`foo/tmp/breakout-${tag}`, '\x03\x04\x05'),
      dir('foo'), dir('foo/tmp'), file(`foo/tmp/breakout-${tag}`, '\x06\x07\x08'),
    ],
    check: async (root, { tag }) => {
      await lstat(join('/tmp', `breakout-${tag}`)).then(() => expect.fail('written outside the root'), () => undefined);
      expect(await readInRoot(root, `foo/tmp/breakout-${tag}`)).to.equal('\x06\x07\x08');
    },
  },
  { name: 'HardlinkSymlinkBeforeCreateTarget', entries: () => [dir('etc', 0o770), symlink('/etc/passwd', 'localpasswd'), link('localpasswd', 'localpasswd-dup'), file('/etc/passwd', 'after')], check: sameFile('localpasswd-dup', '/etc/passwd') },
  {
    name: 'HardlinkSymlinkRelative',
    entries: () => [dir('etc', 0o770), file('/etc/passwd', 'inside'), symlink('../../../../../etc/passwd', 'passwdlink'), link('/passwdlink', 'localpasswd')],
    check: async (root) => {
      await expectSameSymlink(root, '/localpasswd', '/passwdlink');
      await expectSameFile(root, '/localpasswd', '/etc/passwd');
    },
  },
  {
    name: 'HardlinkSymlinkAbsolute',
    entries: () => [dir('etc', 0o770), file('/etc/passwd', 'inside'), symlink('/etc/passwd', 'passwdlink'), link('/passwdlink', 'localpasswd')],
    check: async (root) => {
      await expectSameSymlink(root, '/localpasswd', '/passwdlink');
      await expectSameFile(root, '/localpasswd', '/etc/passwd');
    },
  },
  {
    // CVE-2021-32760: a hard link to a symlink pointing at a host file must not chmod the host file.
    name: 'HardlinkSymlinkChmod',
    entries: ({ canaryDir }) => [symlink(join(canaryDir, 'victim'), join(canaryDir, 'also-exists-outside-root')), link(join(canaryDir, 'also-exists-outside-root'), 'sketchylink')],
    check: async (_root, { canaryDir }) => expect((await lstat(join(canaryDir, 'victim'))).mode & 0o777).to.equal(0o400),
  },
];
