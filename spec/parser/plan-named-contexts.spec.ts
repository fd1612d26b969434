// The plan with `--build-context` names (BuildKit semantics, checked with docker build): a name
// replaces a stage or image of that name in FROM, COPY --from and RUN --mount from=; an image
// context is planned as its image, a folder context is an external source, not an image to pull.
import { expect } from 'chai';
import { DockerfileError } from '../../lib/errors.js';
import { planBuild, type NamedContexts } from '../../parser/plan.js';
import { parseDockerfile } from '../../parser/stages.js';

const HOST = { os: 'linux', architecture: 'amd64' };

function plan(text: string, contexts: NamedContexts) {
  return planBuild(parseDockerfile(text), { platform: HOST, namedContexts: contexts });
}

describe('parser/plan with named contexts', () => {
  it('FROM NAME of an image context is that image', () => {
    const planned = plan('FROM base\nRUN true\n', new Map([['base', { kind: 'image', ref: 'debian:bookworm' }]]));
    expect(planned.stages[0]!.base).to.deep.equal({ kind: 'image', ref: 'debian:bookworm' });
  });

  it('a named context replaces a stage of the same name, which is then not needed', () => {
    const text = 'FROM busybox AS extra\nRUN true\nFROM busybox\nCOPY --from=extra / /e/\nRUN --mount=from=img,target=/i true\n';
    const planned = plan(text, new Map([['extra', { kind: 'local' }], ['img', { kind: 'image', ref: 'alpine:3' }]]));
    expect(planned.stages.map((stage) => stage.stage.index)).to.deep.equal([1]);
    expect(planned.stages[0]!.dependsOn).to.deep.equal([]);
    expect(planned.stages[0]!.imageSources).to.deep.equal(['alpine:3']);
    expect(planned.stages[0]!.contextSources).to.deep.equal(['extra']);
    expect(planned.namedContexts?.get('img')).to.deep.equal({ kind: 'image', ref: 'alpine:3' });
  });

  it('names that are no context still mean stages and images', () => {
    const planned = plan('FROM busybox AS a\nFROM busybox\nCOPY --from=a / /\nCOPY --from=alpine / /\n', new Map([['other', { kind: 'local' }]]));
    expect(planned.stages[1]!.dependsOn).to.deep.equal([0]);
    expect(planned.stages[1]!.imageSources).to.deep.equal(['alpine']);
    expect(planned.stages[1]!.contextSources).to.equal(undefined);
  });

  it('FROM a folder context is refused, located at the FROM', () => {
    let error: unknown;
    try {
      plan('FROM busybox\nFROM extra\n', new Map([['extra', { kind: 'local' }]]));
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(DockerfileError);
    expect((error as DockerfileError).code).to.equal('E_PLAN');
    expect((error as DockerfileError).message).to.match(/FROM extra: a folder build context cannot be a base/);
    expect((error as DockerfileError).location.range.start.line).to.equal(2);
  });
});
