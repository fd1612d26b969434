import { expect } from 'chai';
import { expandInstruction, INSTRUCTION_KEYWORDS, parseInstruction } from '../../../parser/instructions/index.js';
import { dockerfileErrorOf, fakeExpander, nodeOf } from './nodes.js';

describe('parseInstruction / expandInstruction', () => {
  it('knows the 18 keywords', () => {
    expect(INSTRUCTION_KEYWORDS).to.have.length(18);
    expect(INSTRUCTION_KEYWORDS).to.include.members(['FROM', 'RUN', 'COPY', 'HEALTHCHECK', 'STOPSIGNAL']);
  });

  it('types each keyword whatever its case', () => {
    expect(parseInstruction(nodeOf('run true')).kind).to.equal('RUN');
    expect(parseInstruction(nodeOf('Copy a b')).kind).to.equal('COPY');
  });

  const unknown: [string, string][] = [
    ['FOO bar', 'unknown instruction: FOO (did you mean FROM?)'],
    ['foo bar', 'unknown instruction: foo (did you mean from?)'],
    ['COPPY a b', 'unknown instruction: COPPY (did you mean COPY?)'],
    ['Evn A=1', 'unknown instruction: Evn (did you mean env?)'],
    ['XYZZY', 'unknown instruction: XYZZY'],
  ];
  for (const [text, message] of unknown) {
    it(`${text} → ${message}`, () => {
      const error = dockerfileErrorOf(() => parseInstruction(nodeOf(text)));
      expect(error.message).to.equal(message);
      expect(error.code).to.equal('E_INSTRUCTION');
      expect(error.location.range.start).to.deep.equal({ line: 1, column: 1 });
    });
  }

  it('locates errors at the instruction', () => {
    const error = dockerfileErrorOf(() => parseInstruction(nodeOf('FROM a\n\n  COPY x', 1)));
    expect(error.location.range.start).to.deep.equal({ line: 3, column: 3 });
  });

  it('expands through the table and leaves the others alone', () => {
    const expander = fakeExpander({ D: '/app' });
    expect(expandInstruction(parseInstruction(nodeOf('WORKDIR $D')), expander)).to.include({ path: '/app' });
    const cmd = parseInstruction(nodeOf('CMD echo $D'));
    expect(expandInstruction(cmd, expander)).to.equal(cmd);
    const arg = parseInstruction(nodeOf('ARG X=$D'));
    expect(expandInstruction(arg, expander)).to.equal(arg);
    expect(expander.calls).to.deep.equal(['$D']);
  });

  it('locates expansion errors at the instruction, as E_EXPANSION', () => {
    const failing = { word: () => { throw new Error('X: is required'); }, words: () => [] };
    const error = dockerfileErrorOf(() => expandInstruction(parseInstruction(nodeOf('FROM a\nUSER ${X:?is required}', 1)), failing));
    expect(error).to.include({ code: 'E_EXPANSION', message: 'X: is required' });
    expect(error.location.range.start.line).to.equal(2);
  });
});
