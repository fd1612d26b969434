// "did you mean" suggestions: nearest option by edit distance, below 3, case handling as BuildKit.
import { expect } from 'chai';
import { editDistance, nearestOption, withSuggestion } from '../../parser/suggest.js';

describe('suggestions', () => {
  it('measures edit distance over code points', () => {
    expect(editDistance('', 'abc')).to.equal(3);
    expect(editDistance('kitten', 'sitting')).to.equal(3);
    expect(editDistance('é', 'e')).to.equal(1);
    expect(editDistance('😀a', 'a')).to.equal(1);
  });

  const cases: [string, string[], boolean, string | undefined][] = [
    ['COPPY', ['COPY', 'CMD'], false, 'COPY'],
    ['coppy', ['COPY'], false, 'copy'],
    ['CoPPy', ['COPY'], false, 'copy'],
    ['copy', ['COPY'], false, undefined],
    ['xyzzy', ['COPY'], false, undefined],
    ['lnk', ['link', 'from'], true, 'link'],
    ['LINK', ['link'], true, undefined],
    ['ab', ['ax', 'ay'], true, 'ax'],
  ];
  for (const [value, options, caseSensitive, expected] of cases) {
    it(`${value} in [${options.join(', ')}] → ${expected ?? 'nothing'}`, () => {
      expect(nearestOption(value, options, caseSensitive)).to.equal(expected);
    });
  }

  it('appends the hint to a message', () => {
    expect(withSuggestion('unknown instruction: COPPY', 'COPPY', ['COPY'], false)).to.equal('unknown instruction: COPPY (did you mean COPY?)');
    expect(withSuggestion('unknown instruction: X', 'X', ['COPY'], false)).to.equal('unknown instruction: X');
  });
});
