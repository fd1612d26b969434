import { expect } from 'chai';
import { expandAdd, parseAdd } from '../../../parser/instructions/add.js';
import { fakeExpander, itParses, nodeOf } from './nodes.js';

describe('ADD', () => {
  itParses(
    [
      { name: 'local source', text: 'ADD app.tar.gz /opt/', expected: { kind: 'ADD', sources: ['app.tar.gz'], dest: '/opt/', link: false, exclude: [] } },
      { name: 'URL source', text: 'ADD https://example.com/a.txt /a', expected: { sources: ['https://example.com/a.txt'] } },
      { name: 'Git source', text: 'ADD https://github.com/moby/buildkit.git#v0.12 /src', expected: { sources: ['https://github.com/moby/buildkit.git#v0.12'] } },
      {
        name: 'all flags',
        text: 'ADD --chown=1:2 --chmod=600 --link --keep-git-dir --checksum=sha256:abc --unpack=false --exclude=x a b',
        expected: { chown: '1:2', chmod: '600', link: true, keepGitDir: true, checksum: 'sha256:abc', unpack: false, exclude: ['x'] },
      },
      { name: 'optional switches absent unless given', text: 'ADD a b', expected: { keepGitDir: undefined, unpack: undefined, checksum: undefined } },
      { name: 'keep-git-dir=false is kept', text: 'ADD --keep-git-dir=false a b', expected: { keepGitDir: false } },
      { name: 'heredoc source', text: 'ADD <<EOF /f\nx\nEOF', expected: { heredocSources: [{ path: 'EOF', data: 'x\n', expand: true }], sources: [] } },
      { name: 'one argument', text: 'ADD arg1', error: 'ADD requires at least two arguments, but only one was provided. Destination could not be determined' },
      { name: 'heredoc destination', text: 'ADD a <<EOF\nEOF', error: 'ADD cannot accept a heredoc as a destination' },
      { name: 'COPY-only flag', text: 'ADD --from=x a b', error: 'unknown flag: --from' },
      { name: 'parents is COPY-only', text: 'ADD --parents a b', error: 'unknown flag: --parents' },
      { name: 'checksum without value', text: 'ADD --checksum a b', error: 'missing a value on flag: --checksum' },
    ],
    parseAdd,
  );

  it('expands sources, destination, chown, chmod and checksum; never --exclude', () => {
    const add = parseAdd(nodeOf('ADD --checksum=$SUM --exclude=$E $URL /dst'));
    const expander = fakeExpander({ SUM: 'sha256:1', URL: 'https://x/y' });
    const expanded = expandAdd(add, expander);
    expect(expanded).to.include({ checksum: 'sha256:1', dest: '/dst' });
    expect(expanded.sources).to.deep.equal(['https://x/y']);
    expect(expanded.exclude).to.deep.equal(['$E']);
  });
});
