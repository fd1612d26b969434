// The FakeSandbox other executor specs rely on.
import { expect } from 'chai';
import { FakeSandbox } from '../../../executor/sandbox/fake-sandbox.js';
import type { RunSpec } from '../../../executor/sandbox/types.js';
import { TextSink } from './sandbox-harness.js';

const spec: RunSpec = {
  rootfs: '/r', args: ['true'], env: [], cwd: '/', uid: 0, gid: 0, additionalGids: [], hostname: 'h', network: 'none', mounts: [],
};

describe('executor/sandbox/fake-sandbox', () => {
  it('records copies of the specs and returns what the callback decides', async () => {
    const sandbox = new FakeSandbox((_spec, io) => {
      io.stdout.write('hello\n');
      return 3;
    });
    const out = new TextSink();
    const env = ['A=1'];
    expect(await sandbox.run({ ...spec, env }, { stdout: out, stderr: new TextSink() })).to.deep.equal({ exitCode: 3 });
    env.push('B=2');
    expect(sandbox.lastRun.env).to.deep.equal(['A=1']);
    expect(out.text()).to.equal('hello\n');
  });

  it('defaults to exit 0 and refuses an already aborted run', async () => {
    const sandbox = new FakeSandbox();
    expect(await sandbox.run(spec, { stdout: new TextSink(), stderr: new TextSink() })).to.deep.equal({ exitCode: 0 });
    const aborted = AbortSignal.abort();
    try {
      await sandbox.run(spec, { stdout: new TextSink(), stderr: new TextSink() }, aborted);
      expect.fail('expected E_ABORTED');
    } catch (error) {
      expect((error as { code?: string }).code).to.equal('E_ABORTED');
    }
    expect(sandbox.runs).to.have.length(1);
  });
});
