import { expect } from 'chai';
import { parseOutputSpec } from '../../../lib/export/output-spec.js';
import { checkPushNames, pushedNames } from '../../../lib/export/registry-push.js';

describe('lib/export names a build pushes', () => {
  const outputs = (...texts: string[]) => texts.map(parseOutputSpec);

  it('--push pushes the tags; registry and image,push=true outputs their names, else the tags; each once', () => {
    expect(pushedNames(['docker.io/library/app:1'], true, [])).to.deep.equal(['docker.io/library/app:1']);
    expect(pushedNames(['docker.io/library/app:1'], false, outputs('type=registry'))).to.deep.equal(['docker.io/library/app:1']);
    expect(pushedNames(['app:1'], true, outputs('type=registry,name=reg:5000/app:2', 'type=image,name=reg:5000/app:3,push=true', 'type=image,name=reg:5000/app:4')))
      .to.deep.equal(['docker.io/library/app:1', 'reg:5000/app:2', 'reg:5000/app:3']);
    expect(pushedNames([], false, outputs('type=image', 'type=docker,dest=x.tar'))).to.deep.equal([]);
  });

  it('refuses before the build a push with no name', () => {
    expect(() => checkPushNames([], true, [])).to.throw(/pushing the image needs a name/);
    expect(() => checkPushNames([], false, outputs('type=registry'))).to.throw(/pushing the image needs a name/);
    expect(() => checkPushNames([], false, outputs('type=image'))).to.not.throw();
    expect(() => checkPushNames([], false, outputs('type=registry,name=reg:5000/app:1'))).to.not.throw();
  });
});
