// Whole-file checks BuildKit runs before converting any stage: stage names (unique, not reserved)
// and instruction keywords written in one case. They follow the file's config only, never a
// comment above an instruction.
import { goQuote } from '../syntax-dump.js';
import type { Instruction } from '../instructions/index.js';
import type { Stage } from '../stages.js';
import { finding, keywordAsWritten, RULES, type Finding } from './rules.js';

const RESERVED_STAGE_NAMES: ReadonlySet<string> = new Set(['context', 'scratch']);

/** DuplicateStageName and ReservedStageName, at the FROM that names the stage. */
export function stageNameFindings(stages: readonly Stage[]): Finding[] {
  const found: Finding[] = [];
  const seen = new Set<string>();
  for (const { name, from } of stages) {
    if (name === undefined) continue;
    if (RESERVED_STAGE_NAMES.has(name)) {
      found.push(finding(RULES.reservedStageName, `Stage name should not use the same name as reserved stage ${goQuote(name)}`, from.range));
    }
    if (seen.has(name)) {
      found.push(finding(RULES.duplicateStageName, `Duplicate stage name ${goQuote(name)}, stage names should be unique`, from.range));
    }
    seen.add(name);
  }
  return found;
}

function isSelfConsistent(keyword: string): boolean {
  return keyword === keyword.toLowerCase() || keyword === keyword.toUpperCase();
}

/** Every FROM and stage instruction (global ARGs are not counted, as in BuildKit). */
function stageInstructions(stages: readonly Stage[]): Instruction[] {
  return stages.flatMap((stage) => [stage.from, ...stage.instructions]);
}

/**
 * ConsistentInstructionCasing: keywords written all lower or all upper case vote for the file's
 * casing (a tie goes to upper case); a keyword not in that casing is reported.
 */
export function casingFindings(stages: readonly Stage[]): Finding[] {
  const instructions = stageInstructions(stages);
  let lower = 0;
  let upper = 0;
  for (const instruction of instructions) {
    const keyword = keywordAsWritten(instruction.original);
    if (!isSelfConsistent(keyword)) continue;
    if (keyword === keyword.toLowerCase()) lower++;
    else upper++;
  }
  const majorityLower = lower > upper;
  const found: Finding[] = [];
  for (const instruction of instructions) {
    const keyword = keywordAsWritten(instruction.original);
    const wanted = majorityLower ? keyword.toLowerCase() : keyword.toUpperCase();
    if (keyword === wanted) continue;
    const message = `Command '${keyword}' should match the case of the command majority (${majorityLower ? 'lowercase' : 'uppercase'})`;
    found.push(finding(RULES.consistentInstructionCasing, message, instruction.range));
  }
  return found;
}
