// The instruction flag parser: BuildKit's BFlags behaviour and error texts.
import { expect } from 'chai';
import { DockerfileError } from '../../lib/errors.js';
import { boolFlag, parseFlags, stringFlag, stringsFlag } from '../../parser/flags.js';

const range = { start: { line: 3, column: 1 }, end: { line: 3, column: 9 } };
const specs = { link: boolFlag(), from: stringFlag(), exclude: stringsFlag(), network: stringFlag('default') };

describe('parseFlags', () => {
  it('gives defaults for flags not given', () => {
    expect(parseFlags([], specs, range)).to.deep.equal({ values: { link: false, from: '', exclude: [], network: 'default' }, used: [] });
  });

  it('reads every kind and reports use in order of first appearance', () => {
    const parsed = parseFlags(['--exclude=a', '--link', '--from=base', '--exclude=b'], specs, range);
    expect(parsed.values).to.deep.equal({ link: true, from: 'base', exclude: ['a', 'b'], network: 'default' });
    expect(parsed.used).to.deep.equal(['exclude', 'link', 'from']);
  });

  it('accepts bool values in any case and keeps = inside string values', () => {
    expect(parseFlags(['--link=TRUE'], specs, range).values.link).to.equal(true);
    expect(parseFlags(['--link=False'], specs, range).values.link).to.equal(false);
    expect(parseFlags(['--from=a=b'], specs, range).values.from).to.equal('a=b');
  });

  it('stops at --', () => {
    expect(parseFlags(['--link', '--', '--bogus'], specs, range).values.link).to.equal(true);
  });

  const errors: [string[], string][] = [
    [['--bogus'], 'unknown flag: --bogus'],
    [['--lnk'], 'unknown flag: --lnk (did you mean link?)'],
    [['--Link'], 'unknown flag: --Link (did you mean link?)'],
    [['--from'], 'missing a value on flag: --from'],
    [['--exclude'], 'missing a value on flag: --exclude'],
    [['--link='], 'missing a value on flag: --link'],
    [['--link=yes'], 'expecting boolean value for flag --link, not: yes'],
    [['--from=a', '--from=b'], 'duplicate flag specified: --from'],
    [['--link', '--link=false'], 'duplicate flag specified: --link'],
    [['-x'], 'arg should start with -- : -x'],
    [['--'.concat('=x')], 'unknown flag: --'],
  ];
  for (const [words, message] of errors) {
    it(`${JSON.stringify(words)} fails: ${message}`, () => {
      try {
        parseFlags(words, specs, range);
        expect.fail('no error');
      } catch (error) {
        expect(error).to.be.instanceOf(DockerfileError);
        expect((error as DockerfileError).message).to.equal(message);
        expect((error as DockerfileError).code).to.equal('E_INSTRUCTION');
        expect((error as DockerfileError).location.range).to.deep.equal(range);
      }
    });
  }
});
