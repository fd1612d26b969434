import { expect } from 'chai';
import { dispatchLines, stateAfter } from './dispatch-line.js';

describe('USER step', () => {
  const cases: [string, string][] = [['USER nobody', 'nobody'], ['USER 1000:1000', '1000:1000'], ['ENV U=app\nUSER $U:g', 'app:g']];
  for (const [lines, user] of cases) {
    it(JSON.stringify(lines), () => {
      const state = stateAfter(lines);
      expect(state.config.User).to.equal(user);
      expect(state.history[state.history.length - 1]).to.deep.equal({ created_by: `USER ${user}`, comment: 'buildkit.dockerfile.v0', empty_layer: true });
    });
  }
  it('describes the expanded user', () => expect(dispatchLines('USER 5')[0]!.description.op).to.deep.equal({ user: '5' }));
});
