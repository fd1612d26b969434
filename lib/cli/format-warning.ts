// A lint finding as BuildKit prints it: ` - RuleName: message (line N)`, with the docs URL.
import type { BuildWarning } from '../../parser/warnings.js';

export function formatWarning(warning: BuildWarning, file: string): string {
  const where = warning.range ? ` (${file}:${warning.range.start.line})` : '';
  const level = warning.level === 'error' ? 'ERROR' : 'WARNING';
  const url = warning.url ? `\n   ${warning.url}` : '';
  return `${level}: ${warning.rule}: ${warning.message}${where}${url}`;
}
