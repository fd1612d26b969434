import { expect } from 'chai';
import { parseInstruction } from '../../../parser/instructions/index.js';
import { itParses, nodeOf } from './nodes.js';

describe('ONBUILD', () => {
  itParses(
    [
      { name: 'trigger text', text: 'ONBUILD RUN echo $HOME', expected: { kind: 'ONBUILD', expression: 'RUN echo $HOME', triggerKeyword: 'RUN' } },
      { name: 'keyword in any case', text: '  onbuild   copy . /app', expected: { expression: 'copy . /app', triggerKeyword: 'COPY' } },
      {
        name: 'heredocs are re-attached to the text',
        text: 'ONBUILD RUN <<EOF\necho hi\nEOF',
        expected: { expression: 'RUN <<EOF\necho hi\nEOF' },
      },
      { name: 'nothing', text: 'ONBUILD', error: 'ONBUILD requires at least one argument' },
      { name: 'chained', text: 'ONBUILD ONBUILD RUN x', error: 'Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed' },
      { name: 'FROM', text: 'ONBUILD FROM scratch', error: "FROM isn't allowed as an ONBUILD trigger" },
      { name: 'MAINTAINER', text: 'ONBUILD maintainer me', error: "MAINTAINER isn't allowed as an ONBUILD trigger" },
      { name: 'flags on ONBUILD itself', text: 'ONBUILD --x RUN y', error: 'unknown flag: --x' },
    ],
    parseInstruction,
  );

  it('carries the parsed trigger, heredocs included', () => {
    const onbuild = parseInstruction(nodeOf('ONBUILD RUN <<EOF\necho hi\nEOF'));
    expect(onbuild.kind === 'ONBUILD' && onbuild.trigger).to.deep.include({ kind: 'RUN', files: [{ name: 'EOF', data: 'echo hi\n', chomp: false }] });
  });

  it('accepts a trigger that does not parse: BuildKit checks it in the child build', () => {
    const onbuild = parseInstruction(nodeOf('ONBUILD RUN --bogus true'));
    expect(onbuild).to.include({ kind: 'ONBUILD', expression: 'RUN --bogus true' });
    expect(onbuild).to.not.have.property('trigger');
  });
});
