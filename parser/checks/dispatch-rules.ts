// Checks BuildKit runs while converting each stage, instruction by instruction: exec form for
// CMD/ENTRYPOINT, one CMD/ENTRYPOINT/HEALTHCHECK per stage, an absolute first WORKDIR,
// `KEY=value` syntax, and no secrets in ARG/ENV names. Each follows the comments above the
// instruction being converted. What a base image defines (its SHELL, WORKDIR) is unknown here
// and taken as unset, as for `FROM scratch`.
import { goQuote } from '../syntax-dump.js';
import type { Instruction } from '../instructions/index.js';
import type { Stage } from '../stages.js';
import { expandWord, envFromEntries } from '../shell-words.js';
import { finding, keywordAsWritten, RULES, type Finding } from './rules.js';

/** What a stage hands to a stage built on it. */
interface StageFacts {
  readonly shellSet: boolean;
  readonly workdirSet: boolean;
}

const SECRET_WORD = /(?:_|^)(?:apikey|auth|credential|credentials|key|password|pword|passwd|secret|token)(?:_|$)/i;
const ALLOWED_WORD = /(?:_|^)(?:public|file|version)(?:_|$)/i;

/** Whether a variable name looks like it holds a secret (`API_KEY`, `db_password`, not `PUBLIC_KEY`). */
export function looksLikeSecret(name: string): boolean {
  return SECRET_WORD.test(name) && !ALLOWED_WORD.test(name);
}

type OnceTracked = 'CMD' | 'ENTRYPOINT' | 'HEALTHCHECK';

class StageChecker {
  readonly found: Finding[] = [];
  private readonly lastOnce = new Map<OnceTracked, Instruction>();
  shellSet: boolean;
  workdirSet: boolean;

  constructor(inherited: StageFacts, private readonly escapeToken: '\\' | '`') {
    this.shellSet = inherited.shellSet;
    this.workdirSet = inherited.workdirSet;
  }

  check(instruction: Instruction): void {
    const keyword = keywordAsWritten(instruction.original);
    const { range, comments } = instruction;
    switch (instruction.kind) {
      case 'CMD':
      case 'ENTRYPOINT':
        this.usedOnce(instruction.kind, instruction, keyword);
        if (instruction.command.form === 'shell' && !this.shellSet) {
          const message = `JSON arguments recommended for ${keyword} to prevent unintended behavior related to OS signals`;
          this.found.push(finding(RULES.jsonArgsRecommended, message, range, comments));
        }
        return;
      case 'HEALTHCHECK':
        return this.usedOnce('HEALTHCHECK', instruction, keyword);
      case 'SHELL':
        this.shellSet = true;
        return;
      case 'WORKDIR':
        return this.workdir(instruction.path, instruction);
      case 'ENV':
      case 'LABEL':
        return this.keyValues(instruction, keyword);
      case 'ARG':
        for (const { key } of instruction.args) this.secret('ARG', key, instruction);
        return;
      default:
        return;
    }
  }

  /** Reported at the earlier instruction, the one that is ignored, under the later one's comments. */
  private usedOnce(kind: OnceTracked, instruction: Instruction, keyword: string): void {
    const previous = this.lastOnce.get(kind);
    if (previous) {
      const message = `Multiple ${keyword} instructions should not be used in the same stage because only the last one will be used`;
      this.found.push(finding(RULES.multipleInstructionsDisallowed, message, previous.range, instruction.comments));
    }
    this.lastOnce.set(kind, instruction);
  }

  /** Only the stage's first WORKDIR counts; a path that starts with a variable is left alone. */
  private workdir(written: string, instruction: Instruction): void {
    if (this.workdirSet) return;
    this.workdirSet = true;
    let path: string;
    try {
      path = expandWord(written, envFromEntries([]), { escapeToken: this.escapeToken, skipUnsetEnv: true }).value;
    } catch {
      return;
    }
    if (path.startsWith('/') || path.startsWith('$')) return;
    const message = `Relative workdir ${goQuote(path)} can have unexpected results if the base image changes`;
    this.found.push(finding(RULES.workdirRelativePath, message, instruction.range, instruction.comments));
  }

  private keyValues(instruction: Extract<Instruction, { kind: 'ENV' | 'LABEL' }>, keyword: string): void {
    for (const pair of instruction.pairs) {
      if (pair.legacySyntax) {
        const message = `"${keyword} key=value" should be used instead of legacy "${keyword} key value" format`;
        this.found.push(finding(RULES.legacyKeyValueFormat, message, instruction.range, instruction.comments));
      }
      if (instruction.kind === 'ENV') this.secret('ENV', pair.key, instruction);
    }
  }

  private secret(keyword: 'ARG' | 'ENV', key: string, instruction: Instruction): void {
    if (!looksLikeSecret(key)) return;
    const message = `Do not use ARG or ENV instructions for sensitive data (${keyword} ${goQuote(key)})`;
    this.found.push(finding(RULES.secretsUsedInArgOrEnv, message, instruction.range, instruction.comments));
  }
}

/**
 * The conversion-time findings of `stages` (all of a file's, or those a plan needs), each stage
 * starting from what its base stage ended with.
 */
export function dispatchFindings(stages: readonly Stage[], baseStageOf: (stage: Stage) => number | undefined, escapeToken: '\\' | '`'): Finding[] {
  const facts = new Map<number, StageFacts>();
  const found: Finding[] = [];
  for (const stage of [...stages].sort((a, b) => a.index - b.index)) {
    const base = baseStageOf(stage);
    const inherited = (base !== undefined ? facts.get(base) : undefined) ?? { shellSet: false, workdirSet: false };
    const checker = new StageChecker(inherited, escapeToken);
    for (const instruction of stage.instructions) checker.check(instruction);
    facts.set(stage.index, { shellSet: checker.shellSet, workdirSet: checker.workdirSet });
    found.push(...checker.found);
  }
  return found;
}
