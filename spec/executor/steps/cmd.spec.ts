import { expect } from 'chai';
import { dispatchLines, scratchState, stateAfter } from './dispatch-line.js';

describe('CMD step', () => {
  const cases: [string, string[] | undefined, string][] = [
    ['CMD ["a", "b"]', ['a', 'b'], 'CMD ["a" "b"]'],
    ['CMD echo hi', ['/bin/sh', '-c', 'echo hi'], 'CMD ["/bin/sh" "-c" "echo hi"]'],
    ['SHELL ["/bin/bash", "-ec"]\nCMD echo "x"', ['/bin/bash', '-ec', 'echo "x"'], 'CMD ["/bin/bash" "-ec" "echo \\"x\\""]'],
    ['CMD []', undefined, 'CMD []'],
  ];
  for (const [lines, cmd, createdBy] of cases) {
    it(JSON.stringify(lines), () => {
      const state = stateAfter(lines);
      expect(state.config.Cmd).to.deep.equal(cmd);
      expect(state.config.ArgsEscaped).to.equal(true);
      expect(state.cmdSet).to.equal(true);
      expect(state.history[state.history.length - 1]).to.deep.equal({ created_by: createdBy, comment: 'buildkit.dockerfile.v0', empty_layer: true });
    });
  }
  it('CMD [] drops an inherited command', () => {
    expect(stateAfter('CMD []', scratchState({ Cmd: ['sh'] })).config).to.not.have.property('Cmd');
  });
  it('describes the command as written', () => {
    expect(dispatchLines('CMD echo $X')[0]!.description.op).to.deep.equal({ form: 'shell', args: ['echo $X'] });
  });
});
