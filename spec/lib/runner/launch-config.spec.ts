// Docker's rules for what a container runs, with expected values taken from `docker run` on an
// image built FROM busybox with ENTRYPOINT ["echo","ep"], CMD ["c1"], ENV FOO=img PATH=/bin.
import { expect } from 'chai';
import { UsageError } from '../../../lib/errors.js';
import { containerArgs, containerEnv, DEFAULT_PATH, effectiveHealthcheck, launchConfig, normalizeSignal, parseEnvFile, parseVolume } from '../../../lib/runner/launch-config.js';

const image = { Entrypoint: ['echo', 'ep'], Cmd: ['c1'], Env: ['FOO=img', 'PATH=/bin'] };

describe('lib/runner launch config', () => {
  describe('ENTRYPOINT and CMD', () => {
    it('runs entrypoint then CMD, arguments replace CMD only', () => {
      expect(containerArgs(image, {})).to.deep.equal(['echo', 'ep', 'c1']);
      expect(containerArgs(image, { command: ['x', 'y'] })).to.deep.equal(['echo', 'ep', 'x', 'y']);
    });

    it('--entrypoint replaces the entrypoint and resets CMD', () => {
      expect(containerArgs(image, { entrypoint: 'env' })).to.deep.equal(['env']);
      expect(containerArgs(image, { entrypoint: 'ls', command: ['-l'] })).to.deep.equal(['ls', '-l']);
    });

    it('an empty --entrypoint clears it; nothing at all is "no command specified"', () => {
      expect(containerArgs(image, { entrypoint: '', command: ['true'] })).to.deep.equal(['true']);
      expect(() => containerArgs(image, { entrypoint: '' })).to.throw(UsageError, 'no command specified');
      expect(() => containerArgs({}, {})).to.throw(UsageError, 'no command specified');
    });

    it('shell-form CMD is already a /bin/sh -c argv', () => {
      expect(containerArgs({ Cmd: ['/bin/sh', '-c', 'echo $HOME'] }, {})).to.deep.equal(['/bin/sh', '-c', 'echo $HOME']);
    });
  });

  describe('environment', () => {
    it('is PATH, HOSTNAME, then the image env, replacing PATH in place (docker run env)', () => {
      expect(containerEnv(image.Env, [], 'abc', false, {})).to.deep.equal(['PATH=/bin', 'HOSTNAME=abc', 'FOO=img']);
    });

    it('uses the default PATH when the image has none, and TERM=xterm with a terminal', () => {
      expect(containerEnv([], [], 'h', true, {})).to.deep.equal([`PATH=${DEFAULT_PATH}`, 'HOSTNAME=h', 'TERM=xterm']);
    });

    it('-e replaces by key and appends new keys; -e KEY takes the caller value or is dropped', () => {
      const env = containerEnv(image.Env, ['FOO=cli', 'NEW=1', 'FROMHOST', 'UNSET'], 'h', false, { FROMHOST: 'yes' });
      expect(env).to.deep.equal(['PATH=/bin', 'HOSTNAME=h', 'FOO=cli', 'NEW=1', 'FROMHOST=yes']);
    });

    it('--env-file skips comments and blank lines', () => {
      expect(parseEnvFile('# c\nA=1\n\n  B=two words\nC\n')).to.deep.equal(['A=1', 'B=two words', 'C']);
    });
  });

  describe('launchConfig', () => {
    it('takes WORKDIR and USER from the image unless -w / -u say otherwise', () => {
      const config = launchConfig({ ...image, WorkingDir: '/work', User: 'nobody' }, {}, 'h');
      expect(config).to.include({ cwd: '/work', user: 'nobody', stopSignal: 'SIGTERM', stopTimeoutSeconds: 10, network: 'default' });
      expect(launchConfig(image, { workdir: '/tmp', user: '0:0' }, 'h')).to.include({ cwd: '/tmp', user: '0:0' });
      expect(launchConfig(image, {}, 'h').cwd).to.equal('/');
    });

    it('refuses a relative -w as Docker does', () => {
      expect(() => launchConfig(image, { workdir: 'rel' }, 'h')).to.throw(UsageError, "the working directory 'rel' is invalid, it needs to be an absolute path");
    });

    it('takes STOPSIGNAL from the image, --stop-signal over it, names or numbers', () => {
      expect(launchConfig({ ...image, StopSignal: 'SIGUSR1' }, {}, 'h').stopSignal).to.equal('SIGUSR1');
      expect(launchConfig({ ...image, StopSignal: 'SIGUSR1' }, { stopSignal: 'quit' }, 'h').stopSignal).to.equal('SIGQUIT');
      expect(normalizeSignal('9')).to.equal('SIGKILL');
      expect(() => normalizeSignal('SIGNOPE')).to.throw(UsageError);
    });
  });

  describe('health check flags', () => {
    const imageCheck = { Test: ['CMD', 'true'], Interval: 5_000_000_000, Retries: 5 };

    it('keeps the image check, overriding only the fields given', () => {
      expect(effectiveHealthcheck(imageCheck, { interval: '1s' })).to.deep.equal({ Test: ['CMD', 'true'], Interval: 1_000_000_000, Retries: 5 });
      expect(effectiveHealthcheck(imageCheck, { cmd: 'test -f /x', retries: 1, startPeriod: '500ms' })).to.deep.equal({
        Test: ['CMD-SHELL', 'test -f /x'], Interval: 5_000_000_000, Retries: 1, StartPeriod: 500_000_000,
      });
    });

    it('--no-healthcheck and HEALTHCHECK NONE disable it; flags alone make one', () => {
      expect(effectiveHealthcheck(imageCheck, { disable: true })).to.equal(undefined);
      expect(effectiveHealthcheck({ Test: ['NONE'] })).to.equal(undefined);
      expect(effectiveHealthcheck(undefined, {})).to.equal(undefined);
      expect(effectiveHealthcheck(undefined, { cmd: 'true' })).to.deep.equal({ Test: ['CMD-SHELL', 'true'] });
      expect(() => effectiveHealthcheck(undefined, { interval: 'soon', cmd: 'true' })).to.throw(UsageError, '--health-interval');
    });
  });

  it('parses -v HOST:CTR[:ro] and refuses relative paths', () => {
    expect(parseVolume('/h:/c:ro')).to.deep.equal({ source: '/h', target: '/c', readonly: true });
    expect(parseVolume('/h:/c')).to.deep.equal({ source: '/h', target: '/c', readonly: false });
    expect(() => parseVolume('named:/c')).to.throw(UsageError);
    expect(() => parseVolume('/h:c')).to.throw(UsageError);
    expect(() => parseVolume('/h:/c:xx')).to.throw(UsageError);
  });
});
