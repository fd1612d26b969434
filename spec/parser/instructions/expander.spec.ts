import { expect } from 'chai';
import { expandInstruction, parseInstruction } from '../../../parser/instructions/index.js';
import { shellExpander } from '../../../parser/instructions/expander.js';
import { envFromEntries } from '../../../parser/shell-words.js';
import { nodeOf } from './nodes.js';

describe('shellExpander (the Expander over parser/shell-words)', () => {
  const env = envFromEntries({ NAME: 'world', PORTS: '3000 4000/udp', DIR: '/app' });

  it('expands one word, removing quotes, and reports unset variables', () => {
    const unmatched: string[] = [];
    const expander = shellExpander(env, { escapeToken: '\\', onUnmatched: (names) => unmatched.push(...names) });
    expect(expander.word('"hello $NAME" ${MISSING:-x}$OTHER')).to.equal('hello world x');
    expect(unmatched).to.deep.equal(['MISSING', 'OTHER']);
  });

  it('splits words for EXPOSE', () => {
    expect(shellExpander(env, { escapeToken: '\\' }).words('$PORTS "5000 6000"')).to.deep.equal(['3000', '4000/udp', '5000 6000']);
  });

  it('keeps quotes and uses a backslash escape in heredoc bodies, whatever the escape directive', () => {
    const expander = shellExpander(env, { escapeToken: '`' });
    expect(expander.word("Hello '$NAME'! \\$NAME", { heredocBody: true })).to.equal("Hello 'world'! $NAME");
    expect(expander.word('`$NAME')).to.equal('$NAME');
  });

  it('drives whole instructions', () => {
    const expander = shellExpander(env, { escapeToken: '\\' });
    const copy = expandInstruction(parseInstruction(nodeOf('COPY <<EOF $DIR/\n"$NAME"\nEOF')), expander);
    expect(copy).to.deep.include({ dest: '/app/', heredocSources: [{ path: 'EOF', data: '"world"\n', expand: true }] });
    const expose = expandInstruction(parseInstruction(nodeOf('EXPOSE $PORTS')), expander);
    expect(expose).to.deep.include({ ports: ['3000', '4000/udp'] });
  });

  it('turns expansion errors into located E_EXPANSION errors', () => {
    const expander = shellExpander(env, { escapeToken: '\\' });
    const workdir = parseInstruction(nodeOf('FROM a\nWORKDIR ${UNSET:?must be set}', 1));
    expect(() => expandInstruction(workdir, expander))
      .to.throw(/UNSET: must be set/)
      .with.property('code', 'E_EXPANSION');
  });
});
