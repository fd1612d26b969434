import { expect } from 'chai';
import { expandUser, parseUser } from '../../../parser/instructions/user.js';
import { fakeExpander, itParses, nodeOf } from './nodes.js';

describe('USER', () => {
  itParses(
    [
      { name: 'name', text: 'USER app', expected: { kind: 'USER', user: 'app' } },
      { name: 'uid:gid', text: 'USER 1000:1000', expected: { user: '1000:1000' } },
      { name: 'rest of the line', text: 'USER a b', expected: { user: 'a b' } },
      { name: 'nothing', text: 'USER', error: 'USER requires exactly one argument' },
      { name: 'flags', text: 'USER --x a', error: 'unknown flag: --x' },
    ],
    parseUser,
  );
  it('expands', () => expect(expandUser(parseUser(nodeOf('USER ${U}:$G')), fakeExpander({ U: 'a', G: 'b' })).user).to.equal('a:b'));
});
