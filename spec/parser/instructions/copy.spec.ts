import { expect } from 'chai';
import { expandCopy, parseCopy } from '../../../parser/instructions/copy.js';
import { fakeExpander, itParses, nodeOf, syntheticNode } from './nodes.js';

const FROM_VARIABLE = 'variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround';

describe('COPY', () => {
  itParses(
    [
      { name: 'one source', text: 'COPY a /b', expected: { kind: 'COPY', sources: ['a'], heredocSources: [], dest: '/b', link: false, parents: false, exclude: [] } },
      { name: 'several sources', text: 'COPY a b c/ /dest/', expected: { sources: ['a', 'b', 'c/'], dest: '/dest/' } },
      { name: 'JSON form keeps spaces', text: 'COPY ["my file", "/dest dir/"]', expected: { sources: ['my file'], dest: '/dest dir/' } },
      {
        name: 'all flags',
        text: 'COPY --from=build --chown=app:app --chmod=0644 --link --parents --exclude=*.md --exclude=test a /b',
        expected: { from: 'build', chown: 'app:app', chmod: '0644', link: true, parents: true, exclude: ['*.md', 'test'] },
      },
      { name: 'flags not given are absent', text: 'COPY a b', expected: { from: undefined, chown: undefined, chmod: undefined } },
      { name: 'empty flag values count as not given', text: 'COPY --from= --chown= a b', expected: { from: undefined, chown: undefined } },
      { name: 'link=false', text: 'COPY --link=false a b', expected: { link: false } },
      { name: 'stage index', text: 'COPY --from=0 /out /in', expected: { from: '0' } },
      {
        name: 'heredoc and path sources',
        text: 'COPY <<EOF a.txt /dir/\nhello $X\nEOF',
        expected: { sources: ['a.txt'], heredocSources: [{ path: 'EOF', data: 'hello $X\n', expand: true }], dest: '/dir/' },
      },
      {
        name: 'quoted heredoc is not expanded',
        text: 'COPY <<"EOF" /f\n$X\nEOF',
        expected: { heredocSources: [{ path: 'EOF', data: '$X\n', expand: false }] },
      },
      { name: 'chomped heredoc data', text: 'COPY <<-EOF /f\n\t\tindented\n\tEOF', expected: { heredocSources: [{ path: 'EOF', data: 'indented\n', expand: true }] } },
      { name: 'JSON-form marker without a body is an empty file', text: 'COPY ["<<EOF", "/f"]', expected: { heredocSources: [{ path: 'EOF', data: '', expand: true }], sources: [] } },
      { name: 'no arguments', text: 'COPY', error: 'COPY requires at least two arguments, but only one was provided. Destination could not be determined' },
      { name: 'only one argument', text: 'COPY a', error: 'COPY requires at least two arguments, but only one was provided. Destination could not be determined' },
      { name: 'heredoc as destination', text: 'COPY a <<EOF\nx\nEOF', error: 'COPY cannot accept a heredoc as a destination' },
      { name: 'ADD-only flag', text: 'COPY --checksum=sha256:x a b', error: 'unknown flag: --checksum' },
      { name: 'misspelt flag', text: 'COPY --chwon=1 a b', error: 'unknown flag: --chwon (did you mean chown?)' },
      { name: 'from twice', text: 'COPY --from=a --from=b x y', error: 'duplicate flag specified: --from' },
      { name: 'link with a value that is no boolean', text: 'COPY --link=yes a b', error: 'expecting boolean value for flag --link, not: yes' },
      { name: 'variable in --from', text: 'COPY --from=$STAGE a b', error: FROM_VARIABLE },
      { name: 'braced variable in --from', text: 'COPY --from=${STAGE:-x} a b', error: FROM_VARIABLE },
      { name: 'quotes in --from', node: syntheticNode({ keyword: 'COPY', args: ['a', 'b'], flags: ['--from="base"'] }), error: FROM_VARIABLE },
      { name: 'escape in --from', node: syntheticNode({ keyword: 'COPY', args: ['a', 'b'], flags: ['--from=a\\b'] }), error: FROM_VARIABLE },
      { name: 'a lone $ at the end of --from is literal', text: 'COPY --from=stage$ a b', expected: { from: 'stage$' } },
      { name: 'count is checked before flags', node: syntheticNode({ keyword: 'COPY', args: ['a'], flags: ['--bogus'] }), error: /requires at least two arguments/ },
    ],
    parseCopy,
  );

  it('checks --from with the file\'s escape character', () => {
    const node = syntheticNode({ keyword: 'COPY', args: ['a', 'b'], flags: ['--from=a\\b'] });
    expect(parseCopy(node, { escapeToken: '`' }).from).to.equal('a\\b');
    expect(() => parseCopy(syntheticNode({ keyword: 'COPY', args: ['a', 'b'], flags: ['--from=a`b'] }), { escapeToken: '`' })).to.throw(FROM_VARIABLE);
  });

  it('expands sources, destination, chown and chmod, but not --from or --exclude', () => {
    const copy = parseCopy(nodeOf('COPY --from=base --chown=$U --chmod=$M --exclude=$E $SRC "${DIR}/"'));
    const expander = fakeExpander({ U: 'app', M: '0755', SRC: 'src', DIR: '/app', E: 'x' });
    const expanded = expandCopy(copy, expander);
    expect(expanded).to.include({ from: 'base', chown: 'app', chmod: '0755', dest: '/app/' });
    expect(expanded.sources).to.deep.equal(['src']);
    expect(expanded.exclude).to.deep.equal(['$E']);
    expect(expander.calls).to.deep.equal(['$U', '$M', '$SRC', '"${DIR}/"']);
  });

  it('expands unquoted heredoc bodies in heredoc mode, after the paths', () => {
    const copy = parseCopy(nodeOf('COPY <<A <<\'B\' /d/\n"$X"\nA\n$X\nB'));
    const expander = fakeExpander({ X: 'v' });
    const expanded = expandCopy(copy, expander);
    expect(expanded.heredocSources).to.deep.equal([
      { path: 'A', data: '"v"\n', expand: true },
      { path: 'B', data: '$X\n', expand: false },
    ]);
    expect(expander.calls).to.deep.equal(['/d/', 'heredoc:"$X"\n']);
  });

  it('leaves absent flags absent after expansion', () => {
    expect(Object.keys(expandCopy(parseCopy(nodeOf('COPY a b')), fakeExpander()))).to.not.include.members(['chown', 'chmod', 'from']);
  });
});
