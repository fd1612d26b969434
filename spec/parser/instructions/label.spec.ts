import { expect } from 'chai';
import { expandLabel, parseLabel } from '../../../parser/instructions/label.js';
import { fakeExpander, itParses, nodeOf, syntheticNode } from './nodes.js';

describe('LABEL', () => {
  itParses(
    [
      {
        name: 'pairs in order',
        text: 'LABEL org.opencontainers.image.title="My app" version=1',
        expected: { kind: 'LABEL', pairs: [{ key: 'org.opencontainers.image.title', value: '"My app"', legacySyntax: false }, { key: 'version', value: '1', legacySyntax: false }] },
      },
      { name: 'legacy form', text: 'LABEL maintainer someone', expected: { pairs: [{ key: 'maintainer', value: 'someone', legacySyntax: true }] } },
      { name: 'no arguments', text: 'LABEL', error: 'LABEL requires at least one argument' },
      { name: 'blank name', node: syntheticNode({ keyword: 'label', args: ['', 'arg2', '='] }), error: 'LABEL names can not be blank' },
      { name: 'broken triples', node: syntheticNode({ keyword: 'label', args: ['arg1', 'arg2', 'arg3', ''] }), error: 'Bad input to LABEL, too many arguments' },
      { name: 'flags', text: 'LABEL --a=b x=y', error: 'unknown flag: --a' },
    ],
    parseLabel,
  );

  it('expands keys and values', () => {
    const expanded = expandLabel(parseLabel(nodeOf('LABEL "$K"=$V')), fakeExpander({ K: 'k', V: 'v' }));
    expect(expanded.pairs).to.deep.equal([{ key: 'k', value: 'v', legacySyntax: false }]);
  });
});
