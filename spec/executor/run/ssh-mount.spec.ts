// RUN --mount=type=ssh against a fake agent (a unix socket server that answers each request):
// the proxy socket forwards to the agent, has the mount's mode, and goes away after the step; a
// build sees SSH_AUTH_SOCK at BuildKit's default target and nothing of it lands in the image.
import { expect } from 'chai';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sshAuthSockEnv, prepareSshMount } from '../../../executor/run/ssh-mount.js';
import type { MountContext } from '../../../executor/run/mount-types.js';
import type { StepContext } from '../../../executor/steps/types.js';
import { parseRunMount } from '../../../parser/instructions/run-mount.js';
import { build } from '../../../lib/build.js';
import { makeBuildFixture, readImageFile, storedImage, type BuildFixture } from '../../lib/build-fixtures.js';

async function fakeAgent(path: string): Promise<Server> {
  const server = createServer((socket) => socket.on('data', (data) => socket.end(`agent:${data.toString()}`)));
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return server;
}

function ask(path: string, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(path, () => socket.write(text));
    let reply = '';
    socket.on('data', (data) => (reply += data.toString())).on('end', () => resolve(reply)).on('error', reject);
  });
}

describe('RUN --mount=type=ssh', () => {
  let dir: string;
  let agent: Server;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ssh-mount-'));
    agent = await fakeAgent(join(dir, 'agent.sock'));
  });
  afterEach(async () => {
    await new Promise<void>((resolve) => agent.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  function mountContext(agents: Record<string, string>): MountContext {
    const step = { stateDir: join(dir, 'state'), sshAgents: new Map(Object.entries(agents)) } as unknown as StepContext;
    return { step, workdir: '/w', openFrom: () => Promise.reject(new Error('unused')) };
  }

  it('forwards connections to the agent through a socket with the mount mode, removed on release', async () => {
    const mount = parseRunMount('type=ssh,mode=0640', (v) => v);
    const prepared = await prepareSshMount(mountContext({ default: join(dir, 'agent.sock') }), mount, 1);
    const source = (prepared.mount as { source: string }).source;
    expect(prepared.mount).to.include({ type: 'bind', target: '/run/buildkit/ssh_agent.1' });
    expect(statSync(source).isSocket()).to.equal(true);
    expect(statSync(source).mode & 0o777).to.equal(0o640);
    expect(await ask(source, 'ping')).to.equal('agent:ping');
    await prepared.release();
    expect(existsSync(source)).to.equal(false);
    expect(await readdir(join(dir, 'state', 'run-scratch-v1')).catch(() => [])).to.deep.equal([]);
  });

  it('picks the agent by id, takes a relative target from the workdir, and sets SSH_AUTH_SOCK to the first', async () => {
    const mounts = [parseRunMount('type=ssh,id=work,target=agent', (v) => v), parseRunMount('type=ssh', (v) => v)];
    const prepared = await prepareSshMount(mountContext({ work: join(dir, 'agent.sock') }), mounts[0]!, 0);
    expect(prepared.mount).to.include({ target: '/w/agent' });
    await prepared.release();
    expect(sshAuthSockEnv(mounts, '/w')).to.deep.equal(['SSH_AUTH_SOCK=/w/agent']);
    expect(sshAuthSockEnv([mounts[1]!], '/')).to.deep.equal(['SSH_AUTH_SOCK=/run/buildkit/ssh_agent.0']);
  });

  it('leaves out an optional mount without an agent and refuses a required one', async () => {
    const optional = await prepareSshMount(mountContext({}), parseRunMount('type=ssh', (v) => v), 0);
    expect(optional.mount).to.equal(undefined);
    const error = await prepareSshMount(mountContext({}), parseRunMount('type=ssh,id=deploy,required', (v) => v), 0).catch((e: Error) => e);
    expect((error as Error).message).to.match(/no SSH key "deploy" forwarded/);
  });

  describe('in a build [root]', () => {
    let fixture: BuildFixture;
    before(async function () {
      if (process.getuid?.() !== 0) this.skip();
      fixture = await makeBuildFixture();
    });
    after(async () => fixture?.dispose());

    it('shows the agent socket at the default target with SSH_AUTH_SOCK, and keeps it out of the image [root]', async () => {
      await writeFile(join(fixture.context, 'Dockerfile'), [
        'FROM busybox:test',
        "RUN --mount=type=ssh echo \"$SSH_AUTH_SOCK $(stat -c '%F %a %u:%g' $SSH_AUTH_SOCK)\" > /seen && ls -a /run > /run-list",
        '',
      ].join('\n'));
      await build({ root: fixture.root, context: fixture.context, tags: ['ssh:test'], network: 'none', ssh: { default: join(dir, 'agent.sock') } });
      expect(await readImageFile(fixture, 'ssh:test', 'seen')).to.equal('/run/buildkit/ssh_agent.0 socket 600 0:0\n');
      const image = await storedImage(fixture, 'ssh:test');
      expect(JSON.stringify(image.config.config)).not.to.contain('SSH_AUTH_SOCK');
      expect(await readImageFile(fixture, 'ssh:test', 'run/buildkit/ssh_agent.0')).to.equal(undefined);
    });
  });
});
