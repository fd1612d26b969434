import { parseCmd } from '../../../parser/instructions/cmd.js';
import { itParses } from './nodes.js';

describe('CMD', () => {
  itParses(
    [
      { name: 'exec form', text: 'CMD ["nginx", "-g", "daemon off;"]', expected: { kind: 'CMD', command: { form: 'exec', args: ['nginx', '-g', 'daemon off;'] } } },
      { name: 'shell form, variables kept', text: 'CMD echo $HOME', expected: { command: { form: 'shell', text: 'echo $HOME' } } },
      { name: 'not quite JSON is shell form', text: "CMD ['a']", expected: { command: { form: 'shell', text: "['a']" } } },
      { name: 'empty exec form', text: 'CMD []', expected: { command: { form: 'exec', args: [] } } },
      { name: 'nothing: the shell with an empty command', text: 'CMD', expected: { command: { form: 'shell', text: '' } } },
      { name: 'no flags', text: 'CMD --x=1 true', error: 'unknown flag: --x' },
    ],
    parseCmd,
  );
});
