import { expect } from 'chai';
import { expandEnv, parseEnv } from '../../../parser/instructions/env.js';
import { fakeExpander, itParses, nodeOf, syntheticNode } from './nodes.js';

describe('ENV', () => {
  itParses(
    [
      { name: 'one pair', text: 'ENV A=1', expected: { kind: 'ENV', pairs: [{ key: 'A', value: '1', legacySyntax: false }] } },
      {
        name: 'several pairs, quotes kept',
        text: 'ENV A="a b" B=\'$X\' C=',
        expected: { pairs: [{ key: 'A', value: '"a b"', legacySyntax: false }, { key: 'B', value: "'$X'", legacySyntax: false }, { key: 'C', value: '', legacySyntax: false }] },
      },
      { name: 'legacy form takes the rest of the line', text: 'ENV PATH /a:/b  c', expected: { pairs: [{ key: 'PATH', value: '/a:/b  c', legacySyntax: true }] } },
      { name: 'no arguments', text: 'ENV', error: 'ENV requires at least one argument' },
      { name: 'blank name', node: syntheticNode({ keyword: 'env', args: ['', 'arg2', '='] }), error: 'ENV names can not be blank' },
      { name: 'broken triples', node: syntheticNode({ keyword: 'env', args: ['a', 'b'] }), error: 'Bad input to ENV, too many arguments' },
      { name: 'any flag is unknown', text: 'ENV --x=1 A=1', error: 'unknown flag: --x' },
    ],
    parseEnv,
  );

  it('expands keys and values', () => {
    const expanded = expandEnv(parseEnv(nodeOf('ENV $K=${V}x B="q $V"')), fakeExpander({ K: 'KEY', V: 'val' }));
    expect(expanded.pairs).to.deep.equal([
      { key: 'KEY', value: 'valx', legacySyntax: false },
      { key: 'B', value: 'q val', legacySyntax: false },
    ]);
  });
});
