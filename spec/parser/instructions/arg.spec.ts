import { expect } from 'chai';
import { expandArgDefault, parseArg, splitKeyValue } from '../../../parser/instructions/arg.js';
import { readConformanceJson } from '../../support/conformance.js';
import { fakeExpander, itParses, nodeOf } from './nodes.js';

describe('ARG', () => {
  itParses(
    [
      { name: 'no default', text: 'ARG VERSION', expected: { kind: 'ARG', args: [{ key: 'VERSION' }] } },
      { name: 'empty default differs from none', text: 'ARG VERSION=', expected: { args: [{ key: 'VERSION', value: '' }] } },
      { name: 'several, quotes kept', text: 'ARG A=1 B="two words" C', expected: { args: [{ key: 'A', value: '1' }, { key: 'B', value: '"two words"' }, { key: 'C' }] } },
      { name: 'value with =', text: 'ARG OPTS=a=b', expected: { args: [{ key: 'OPTS', value: 'a=b' }] } },
      { name: 'flags are ignored, as in BuildKit', text: 'ARG --whatever X', expected: { args: [{ key: 'X' }] } },
      { name: 'doc comment', text: '# X sets x\nARG X=1', expected: { args: [{ key: 'X', value: '1', docComment: 'sets x' }] } },
      { name: 'no arguments', text: 'ARG', error: 'ARG requires at least one argument' },
      { name: 'blank name', text: 'ARG =x', error: 'ARG names can not be blank' },
    ],
    parseArg,
  );

  it('expands only the default, and only on request', () => {
    const [withDefault, bare] = parseArg(nodeOf('ARG A=${B}-x C')).args;
    expect(expandArgDefault(withDefault!, fakeExpander({ B: 'b' }))).to.deep.equal({ key: 'A', value: 'b-x' });
    expect(expandArgDefault(bare!, fakeExpander())).to.deep.equal({ key: 'C' });
  });
});

describe('splitKeyValue', () => {
  describe('conformance: convert/cases.json helpers.parseKeyValue', () => {
    interface KeyValueCase { input: string; key: string; value: string }
    const { cases } = readConformanceJson<{ buildkit: { helpers: { parseKeyValue: { cases: KeyValueCase[] } } } }>('convert', 'cases.json').buildkit
      .helpers.parseKeyValue;
    for (const testCase of cases) {
      // BuildKit's helper reports "no `=`" as an empty value; splitKeyValue keeps the difference (ARG X vs ARG X=).
      it(JSON.stringify(testCase.input), () => {
        const { key, value } = splitKeyValue(testCase.input);
        expect({ key, value: value ?? '' }).to.deep.equal({ key: testCase.key, value: testCase.value });
      });
    }
  });

  it('splits at the first =', () => {
    expect(splitKeyValue('key=val')).to.deep.equal({ key: 'key', value: 'val' });
    expect(splitKeyValue('key=')).to.deep.equal({ key: 'key', value: '' });
    expect(splitKeyValue('key')).to.deep.equal({ key: 'key' });
    expect(splitKeyValue('a=b=c')).to.deep.equal({ key: 'a', value: 'b=c' });
  });
});
