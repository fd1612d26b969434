import { parseMaintainer } from '../../../parser/instructions/maintainer.js';
import { itParses } from './nodes.js';

describe('MAINTAINER', () => {
  itParses(
    [
      { name: 'rest of the line', text: 'MAINTAINER Jane Doe <jane@example.com>', expected: { kind: 'MAINTAINER', maintainer: 'Jane Doe <jane@example.com>' } },
      { name: 'nothing', text: 'MAINTAINER', error: 'MAINTAINER requires exactly one argument' },
      { name: 'unknown flag', text: 'MAINTAINER --boo joe@example.com', error: 'unknown flag: --boo' },
    ],
    parseMaintainer,
  );
});
