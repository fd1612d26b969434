// --chmod: an octal mode (`0755`) or a symbolic one (`u+x,go-w`, `a=rX`), as BuildKit 0.13 accepts.
import { TsbuildError } from '../../lib/errors.js';

export type ModeChange = (mode: number, isDir: boolean) => number;

const WHO_BITS: Record<string, number> = { u: 0o4700, g: 0o2070, o: 0o1007, a: 0o7777 };

/** Parses `--chmod`; throws on anything BuildKit would refuse. */
export function parseChmod(spec: string): ModeChange {
  if (/^[0-7]{1,4}$/.test(spec)) {
    const fixed = parseInt(spec, 8);
    return () => fixed;
  }
  const clauses = spec.split(',').map((clause) => parseClause(clause, spec));
  return (mode, isDir) => clauses.reduce((current, clause) => clause(current, isDir), mode & 0o7777);
}

function parseClause(clause: string, spec: string): ModeChange {
  const match = /^([ugoa]*)([-+=])([rwxXst]*)$/.exec(clause);
  if (!match) throw new TsbuildError('E_STEP', `invalid chmod parameter: ${JSON.stringify(spec)}`);
  const [, who = '', op, perms = ''] = match;
  const mask = (who === '' ? 'a' : who).split('').reduce((bits, w) => bits | WHO_BITS[w]!, 0);
  return (mode, isDir) => {
    let bits = 0;
    for (const perm of perms) bits |= permBits(perm, mode, isDir);
    bits &= mask;
    if (op === '+') return mode | bits;
    if (op === '-') return mode & ~bits;
    return (mode & ~(mask & 0o7777)) | bits;
  };
}

function permBits(perm: string, mode: number, isDir: boolean): number {
  switch (perm) {
    case 'r': return 0o444;
    case 'w': return 0o222;
    case 'x': return 0o111;
    // X: execute only for directories or files some class can already execute.
    case 'X': return isDir || (mode & 0o111) !== 0 ? 0o111 : 0;
    case 's': return 0o6000;
    default: return 0o1000; // t
  }
}
