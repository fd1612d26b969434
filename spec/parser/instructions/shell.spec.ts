import { parseShell } from '../../../parser/instructions/shell.js';
import { itParses } from './nodes.js';

describe('SHELL', () => {
  itParses(
    [
      { name: 'JSON form', text: 'SHELL ["/bin/bash", "-o", "pipefail", "-c"]', expected: { kind: 'SHELL', shell: ['/bin/bash', '-o', 'pipefail', '-c'] } },
      { name: 'shell form', text: 'SHELL /bin/bash -c', error: 'SHELL requires the arguments to be in JSON form' },
      { name: 'empty list', text: 'SHELL []', error: 'SHELL requires at least one argument' },
      { name: 'nothing', text: 'SHELL', error: 'SHELL requires at least one argument' },
      { name: 'flags first', text: 'SHELL --x []', error: 'unknown flag: --x' },
    ],
    parseShell,
  );
});
