import { expect } from 'chai';
import { expandRun, parseRun } from '../../../parser/instructions/run.js';
import { parseRunMount } from '../../../parser/instructions/run-mount.js';
import { dockerfileErrorOf, fakeExpander, itParses, nodeOf } from './nodes.js';

const identity = (value: string): string => value;

describe('RUN', () => {
  itParses(
    [
      { name: 'shell form', text: 'RUN echo "$HOME" && ls', expected: { kind: 'RUN', command: { form: 'shell', text: 'echo "$HOME" && ls' } } },
      { name: 'exec form', text: 'RUN ["ls", "-l"]', expected: { command: { form: 'exec', args: ['ls', '-l'] } } },
      { name: 'empty exec form', text: 'RUN []', expected: { command: { form: 'exec', args: [] } } },
      { name: 'nothing', text: 'RUN', expected: { command: { form: 'shell', text: '' } } },
      { name: 'defaults', text: 'RUN true', expected: { network: 'default', security: 'sandbox', mounts: [], mountSpecs: [], devices: [], flagsUsed: [] } },
      { name: 'network none', text: 'RUN --network=none true', expected: { network: 'none', flagsUsed: ['network'] } },
      { name: 'network host', text: 'RUN --network=host true', expected: { network: 'host' } },
      { name: 'insecure', text: 'RUN --security=insecure true', expected: { security: 'insecure' } },
      {
        name: 'mount specs are kept as written; from= is known early',
        text: 'RUN --mount=type=cache,target=/root/.cache --mount=from=build,src=/out,target=/in make',
        expected: { mountSpecs: ['type=cache,target=/root/.cache', 'from=build,src=/out,target=/in'], mountSources: ['build'], flagsUsed: ['mount'] },
      },
      { name: 'a $ at the very end of from= is allowed', text: 'RUN --mount=from=stage$ true', expected: { mountSources: ['stage$'] } },
      { name: 'option values are not read before expansion', text: 'RUN --mount=type=$T,size=$S true', expected: { mounts: [] } },
      {
        name: 'devices',
        text: 'RUN --device=vendor.com/gpu=all,required --device=x true',
        expected: { devices: [{ name: 'vendor.com/gpu=all', required: true }, { name: 'x', required: false }] },
      },
      {
        name: 'heredoc files keep their tabs',
        text: 'RUN <<-EOF bash\n\techo hi\nEOF',
        expected: { command: { form: 'shell', text: '<<-EOF bash' }, files: [{ name: 'EOF', data: '\techo hi\n', chomp: true }] },
      },
      { name: 'bad network', text: 'RUN --network=bridge true', error: 'invalid network mode "bridge"' },
      { name: 'bad security', text: 'RUN --security=privileged true', error: 'security "privileged" is not valid' },
      { name: 'variable in from=', text: 'RUN --mount=from=$STAGE true', error: "'from' doesn't support variable expansion, define alias stage instead" },
      { name: 'variable in FROM= (any case)', text: 'RUN --mount=FROM=${S}x true', error: "'from' doesn't support variable expansion, define alias stage instead" },
      { name: 'broken CSV', text: 'RUN --mount=\'type=bind,"src\' true', error: 'failed to parse csv mounts: parse error on line 1, column 12: extraneous or missing " in quoted-field' },
      { name: 'empty mount', text: 'RUN --mount= true', error: 'failed to parse csv mounts: EOF' },
      { name: 'duplicate network', text: 'RUN --network=none --network=host true', error: 'duplicate flag specified: --network' },
      { name: 'unknown flag', text: 'RUN --mout=type=cache true', error: 'unknown flag: --mout (did you mean mount?)' },
      { name: 'device name twice', text: 'RUN --device=a,name=b true', error: 'device name already set to a' },
    ],
    parseRun,
  );
});

describe('RUN --mount options (read when the RUN is expanded)', () => {
  const mounts: [string, object][] = [
    ['target=/src', { type: 'bind', target: '/src', readOnly: true, required: false }],
    ['type=bind,source=/a,target=/b,rw', { type: 'bind', source: '/a', target: '/b', readOnly: false, required: false }],
    ['type=bind,src=a,dst=b,readwrite=true', { type: 'bind', source: 'a', target: 'b', readOnly: false, required: false }],
    ['type=cache,target=/c', { type: 'cache', target: '/c', readOnly: false, required: false }],
    ['type=cache,target=/c,ro', { type: 'cache', target: '/c', readOnly: true, required: false }],
    ['type=cache,id=go,sharing=locked,destination=/go,mode=0700,uid=1000,gid=1000', { type: 'cache', id: 'go', sharing: 'locked', target: '/go', readOnly: false, required: false, mode: 0o700, uid: 1000, gid: 1000 }],
    ['type=CACHE,target=/c,sharing=PRIVATE', { type: 'cache', target: '/c', sharing: 'private', readOnly: false, required: false }],
    ['type=tmpfs,target=/t,size=64m', { type: 'tmpfs', target: '/t', sizeLimit: 64 * 2 ** 20, readOnly: false, required: false }],
    ['type=tmpfs,target=/t,size=1.5k', { type: 'tmpfs', target: '/t', sizeLimit: 1536, readOnly: false, required: false }],
    ['type=secret,id=npmrc', { type: 'secret', id: 'npmrc', readOnly: true, required: false }],
    ['type=secret,id=tok,env=TOKEN,required', { type: 'secret', id: 'tok', env: 'TOKEN', readOnly: true, required: true }],
    ['type=secret,target=/run/s,required=false,mode=0400', { type: 'secret', target: '/run/s', readOnly: true, required: false, mode: 0o400 }],
    ['type=ssh', { type: 'ssh', readOnly: true, required: false }],
    ['type=ssh,id=gh,required=true,ro=false', { type: 'ssh', id: 'gh', readOnly: false, required: true }],
    ['from=build,source=/out,target=/in', { type: 'bind', from: 'build', source: '/out', target: '/in', readOnly: true, required: false }],
    ['type=bind,"target=/x,y"', { type: 'bind', readOnly: true, required: false, target: '/x,y' }],
  ];
  for (const [spec, expected] of mounts) {
    it(`${spec}`, () => expect(parseRunMount(spec, identity)).to.deep.equal(expected));
  }
  it('a quoted field is one field, commas included', () => {
    expect(() => parseRunMount('"type=bind,target=/x"', identity)).to.throw('unsupported mount type "bind,target=/x"');
  });

  const errors: [string, string][] = [
    ['type=volume', 'unsupported mount type "volume"'],
    ['type=cahce', 'unsupported mount type "cahce" (did you mean cache?)'],
    ['type=cache,sharing=exclusive', 'unsupported sharing value "exclusive"'],
    ['type=cache,sharing=lockd', 'unsupported sharing value "lockd" (did you mean locked?)'],
    ['target', "invalid field 'target' must be a key=value pair"],
    ['required,type=secret,id=x', "unexpected key 'required' for mount type 'bind'"],
    ['type=cache,required=true', "unexpected key 'required' for mount type 'cache'"],
    ['type=bind,size=1m', "unexpected key 'size' for mount type 'bind'"],
    ['type=tmpfs,size=lots', 'invalid value for size: lots'],
    ['type=tmpfs,size=1.2.3m', 'invalid value for size: 1.2.3m'],
    ['ro=maybe', 'invalid value for ro: maybe'],
    ['type=secret,id=x,required=sure', 'invalid value for required: sure'],
    ['type=cache,mode=0800', 'invalid value 0800 for mode'],
    ['type=cache,uid=-1', 'invalid value -1 for uid'],
    ['type=cache,gid=4294967296', 'invalid value 4294967296 for gid'],
    ['type=bind,mode=0644', 'mode not allowed for "bind" type mounts'],
    ['type=tmpfs,uid=0', 'uid not allowed for "tmpfs" type mounts'],
    ['type=bind,gid=0', 'gid not allowed for "bind" type mounts'],
    ['type=secret,id=a,from=b', 'secret mount should not have a from'],
    ['type=secret,id=a,sharing=shared', 'secret mount should not define sharing'],
    ['type=secret', 'invalid secret mount. one of source, target required'],
    ['type=secret,source=a,id=b', "both source and id can't be set"],
    ['type=tmpfs,sharing=shared', 'invalid cache sharing set for tmpfs mount'],
    ['type=bind,tagret=/x', "unexpected key 'tagret' in 'tagret=/x' (did you mean target?)"],
    ['type=bind,colour=red', "unexpected key 'colour' in 'colour=red'"],
  ];
  for (const [spec, message] of errors) {
    it(`${spec} fails: ${message}`, () => expect(() => parseRunMount(spec, identity)).to.throw(message));
  }

  it('expands every option value, then validates', () => {
    const run = parseRun(nodeOf('RUN --mount=type=$T,target=${DIR}/cache,id=$ID true'));
    const expander = fakeExpander({ T: 'cache', DIR: '/root', ID: 'pip' });
    expect(expandRun(run, expander).mounts).to.deep.equal([{ type: 'cache', target: '/root/cache', id: 'pip', readOnly: false, required: false }]);
    expect(expander.calls).to.deep.equal(['$T', '${DIR}/cache', '$ID']);
  });

  it('never expands the command, --network or --security', () => {
    const run = parseRun(nodeOf('RUN --network=none echo $HOME'));
    const expander = fakeExpander({ HOME: '/x' });
    expect(expandRun(run, expander).command).to.deep.equal({ form: 'shell', text: 'echo $HOME' });
    expect(expander.calls).to.deep.equal([]);
  });

  it('locates an invalid expanded mount at the RUN', () => {
    const run = parseRun(nodeOf('FROM x\nRUN --mount=type=$T true', 1));
    const error = dockerfileErrorOf(() => expandRun(run, fakeExpander({ T: 'nfs' })));
    expect(error.message).to.equal('unsupported mount type "nfs"');
    expect(error.location.range.start).to.deep.equal({ line: 2, column: 1 });
  });
});
