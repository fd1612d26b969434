import { parseEntrypoint } from '../../../parser/instructions/entrypoint.js';
import { itParses } from './nodes.js';

describe('ENTRYPOINT', () => {
  itParses(
    [
      { name: 'exec form', text: 'ENTRYPOINT ["/docker-entrypoint.sh"]', expected: { kind: 'ENTRYPOINT', command: { form: 'exec', args: ['/docker-entrypoint.sh'] } } },
      { name: 'shell form', text: 'ENTRYPOINT exec node server.js', expected: { command: { form: 'shell', text: 'exec node server.js' } } },
      { name: 'empty exec form clears it', text: 'ENTRYPOINT []', expected: { command: { form: 'exec', args: [] } } },
      { name: 'flags', text: 'ENTRYPOINT --init x', error: 'unknown flag: --init' },
    ],
    parseEntrypoint,
  );
});
