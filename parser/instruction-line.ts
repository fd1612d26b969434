// One logical instruction line (continuations already joined) split the way BuildKit's parser
// splits it: the keyword, the leading `--flags`, and the argument values by the rules of that
// keyword. Quotes and escapes stay in the values; they are removed later, during expansion.
import { DockerfileSyntaxError, lineRange } from '../lib/errors.js';
import { execOrShellForm, parseJsonStringArray, type ArgumentValues } from './json-args.js';
import { goQuote } from './syntax-dump.js';
import { endWithoutTrailingSpace, isAsciiSpace, isUnicodeSpace, skipUnicodeSpace } from './unicode-space.js';

export type EscapeToken = '\\' | '`';

/** An instruction line split into its parts. Offsets count UTF-16 units into the outermost line. */
export interface InstructionLine {
  /** The keyword as written. */
  readonly keyword: string;
  readonly keywordOffset: number;
  /** The text this instruction was read from (an ONBUILD trigger's is the rest of the ONBUILD line). */
  readonly text: string;
  readonly flags: readonly string[];
  readonly args: readonly string[];
  readonly json: boolean;
  /** The instruction an ONBUILD registers. */
  readonly trigger?: InstructionLine;
}

// The separators Go's regexp `[\t\v\f\r ]+` (BuildKit's reWhitespace) matches.
const WORD_SEPARATOR = /[\t\v\f\r ]+/;

/**
 * Splits `text`, which starts and ends with a non-space, at runs of `[\t\v\f\r ]` (non-ASCII spaces
 * do not separate). With `limit` 2, the second part is the rest of the text.
 */
export function splitOnWhitespace(text: string, limit?: 2): string[] {
  if (text === '') return [];
  if (limit === undefined) return text.split(WORD_SEPARATOR);
  const separator = WORD_SEPARATOR.exec(text);
  return separator ? [text.slice(0, separator.index), text.slice(separator.index + separator[0].length)] : [text];
}

/** One `--flag` word: quotes removed, escapes applied (also inside single quotes, as upstream). */
function readFlagWord(text: string, start: number, escapeToken: EscapeToken): { value: string; end: number } {
  let value = '';
  let quote = '';
  let index = start;
  for (; index < text.length; index++) {
    const char = text[index]!;
    if (quote === '' && isAsciiSpace(text.charCodeAt(index))) break;
    if (quote === '' && (char === "'" || char === '"')) quote = char;
    else if (quote !== '' && char === quote) quote = '';
    else if (char === escapeToken && index + 1 === text.length) quote = '';
    else value += char === escapeToken ? text[++index] : char;
  }
  return { value, end: index };
}

/**
 * BuildKit's extractBuilderFlags: the leading words that start with `--`, and the index where the
 * rest of the line starts. A bare `--` ends the flags and is dropped. Upstream scans bytes, so only
 * ASCII whitespace separates words here (a non-ASCII space would split a UTF-8 sequence upstream).
 */
function extractBuilderFlags(text: string, escapeToken: EscapeToken): { flags: string[]; restIndex: number } {
  const flags: string[] = [];
  let index = 0;
  for (;;) {
    while (index < text.length && isAsciiSpace(text.charCodeAt(index))) index++;
    if (!text.startsWith('--', index)) return { flags, restIndex: index };
    const word = readFlagWord(text, index, escapeToken);
    if (word.value === '--') return { flags, restIndex: word.end };
    flags.push(word.value);
    index = word.end;
  }
}

interface CommandParts {
  readonly keyword: string;
  readonly keywordOffset: number;
  readonly text: string;
  readonly flags: string[];
  readonly rest: string;
  readonly restOffset: number;
}

/** BuildKit's splitCommand: keyword, flags, and the trimmed rest of the line. */
function splitCommand(text: string, offset: number, escapeToken: EscapeToken): CommandParts {
  const start = skipUnicodeSpace(text);
  const trimmed = text.slice(start, Math.max(start, endWithoutTrailingSpace(text)));
  const separator = WORD_SEPARATOR.exec(trimmed);
  const keyword = separator ? trimmed.slice(0, separator.index) : trimmed;
  const parts = { keyword, keywordOffset: offset + start, text };
  if (!separator) return { ...parts, flags: [], rest: '', restOffset: offset + text.length };
  const afterKeyword = separator.index + separator[0].length;
  const { flags, restIndex } = extractBuilderFlags(trimmed.slice(afterKeyword), escapeToken);
  const restStart = skipUnicodeSpace(trimmed, afterKeyword + restIndex);
  const rest = trimmed.slice(restStart, Math.max(restStart, endWithoutTrailingSpace(trimmed)));
  return { ...parts, flags, rest, restOffset: offset + start + restStart };
}

/**
 * BuildKit's parseWords: splits on unquoted Unicode whitespace. Quotes and escapes are kept in the
 * words; only an escape character at the very end is dropped. Single quotes protect escapes.
 */
export function parseWords(text: string, escapeToken: EscapeToken = '\\'): string[] {
  const chars = Array.from(text);
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote = '';
  let hasQuotes = false;
  for (let index = 0; index < chars.length; index++) {
    const char = chars[index]!;
    if (!inWord && isUnicodeSpace(char.charCodeAt(0))) continue;
    inWord = true;
    if (quote === '' && isUnicodeSpace(char.charCodeAt(0))) {
      if (hasQuotes || word !== '') words.push(word);
      [word, inWord, hasQuotes] = ['', false, false];
      continue;
    }
    if (quote === '' && (char === "'" || char === '"')) [quote, hasQuotes] = [char, true];
    else if (quote !== '' && char === quote) quote = '';
    else if (char === escapeToken && (quote === '' || quote === '"')) {
      if (index + 1 === chars.length) {
        quote = '';
        continue;
      }
      word += char;
      index++;
    }
    word += chars[index];
  }
  if (inWord && (hasQuotes || word !== '')) words.push(word);
  return words;
}

/**
 * ENV and LABEL: (key, value, delimiter) triples. `k v` (legacy: the first word has no `=`) gives
 * one triple with delimiter ""; `k=v k2=v2` gives one triple per word with delimiter "=".
 */
export function parseNameValue(keyword: 'ENV' | 'LABEL', text: string, escapeToken: EscapeToken = '\\'): string[] {
  const words = parseWords(text, escapeToken);
  if (words.length === 0) return [];
  if (!words[0]!.includes('=')) {
    const parts = splitOnWhitespace(text, 2);
    if (parts.length < 2) throw new DockerfileSyntaxError(`${keyword} must have two arguments`, lineRange(1));
    return [parts[0]!, parts[1]!, ''];
  }
  return words.flatMap((word) => {
    const equals = word.indexOf('=');
    if (equals < 0) {
      const message = `Syntax error - can't find = in ${goQuote(word)}. Must be of the form: name=value`;
      throw new DockerfileSyntaxError(message, lineRange(1));
    }
    return [word.slice(0, equals), word.slice(equals + 1), '='];
  });
}

/** HEALTHCHECK: the type word (CMD, NONE...), then the command in exec or shell form. */
function healthcheckArgs(text: string): ArgumentValues {
  let typeEnd = 0;
  while (typeEnd < text.length && !isAsciiSpace(text.charCodeAt(typeEnd))) typeEnd++;
  if (typeEnd === 0) return { args: [], json: false };
  let commandStart = typeEnd;
  while (commandStart < text.length && isAsciiSpace(text.charCodeAt(commandStart))) commandStart++;
  const command = execOrShellForm(text.slice(commandStart));
  return { args: [text.slice(0, typeEnd), ...command.args], json: command.json };
}

/** ADD, COPY, VOLUME: exec form, else one value per whitespace-separated word. */
function execOrWordList(text: string): ArgumentValues {
  const elements = parseJsonStringArray(text);
  return elements ? { args: elements, json: true } : { args: splitOnWhitespace(text), json: false };
}

function shellArgs(args: readonly string[]): ArgumentValues {
  return { args, json: false };
}

type ArgumentSplitter = (text: string, escapeToken: EscapeToken) => ArgumentValues;

const wordList: ArgumentSplitter = (text) => shellArgs(splitOnWhitespace(text));
const wholeText: ArgumentSplitter = (text) => shellArgs(text === '' ? [] : [text]);

const ARGUMENT_SPLITTERS: ReadonlyMap<string, ArgumentSplitter> = new Map<string, ArgumentSplitter>([
  ['add', execOrWordList],
  ['arg', (text, escape) => shellArgs(parseWords(text, escape))],
  ['cmd', execOrShellForm],
  ['copy', execOrWordList],
  ['entrypoint', execOrShellForm],
  ['env', (text, escape) => shellArgs(parseNameValue('ENV', text, escape))],
  ['expose', wordList],
  ['from', wordList],
  ['healthcheck', healthcheckArgs],
  ['label', (text, escape) => shellArgs(parseNameValue('LABEL', text, escape))],
  ['maintainer', wholeText],
  // Reached only for an ONBUILD with nothing after it.
  ['onbuild', () => shellArgs([])],
  ['run', execOrShellForm],
  ['shell', execOrShellForm],
  ['stopsignal', wholeText],
  ['user', wholeText],
  ['volume', execOrWordList],
  ['workdir', wholeText],
]);

// BuildKit keeps unknown instructions with one empty argument; they are reported when typed.
const UNKNOWN_KEYWORD_ARGS: ArgumentValues = { args: [''], json: false };

function withArguments(parts: CommandParts, escapeToken: EscapeToken): InstructionLine {
  const splitter = ARGUMENT_SPLITTERS.get(parts.keyword.toLowerCase());
  const values = splitter ? splitter(parts.rest, escapeToken) : UNKNOWN_KEYWORD_ARGS;
  const { keyword, keywordOffset, text, flags } = parts;
  return { keyword, keywordOffset, text, flags, args: values.args, json: values.json };
}

/**
 * Splits one logical line. ONBUILD nests its trigger in `trigger`; the chain is built without
 * recursion so that a line of thousands of `ONBUILD` words cannot exhaust the stack.
 */
export function parseInstructionLine(text: string, escapeToken: EscapeToken = '\\'): InstructionLine {
  const onbuilds: CommandParts[] = [];
  let parts = splitCommand(text, 0, escapeToken);
  while (parts.keyword.toLowerCase() === 'onbuild' && parts.rest !== '') {
    onbuilds.push(parts);
    parts = splitCommand(parts.rest, parts.restOffset, escapeToken);
  }
  let line = withArguments(parts, escapeToken);
  for (let index = onbuilds.length - 1; index >= 0; index--) {
    const { keyword, keywordOffset, text: onbuildText, flags } = onbuilds[index]!;
    line = { keyword, keywordOffset, text: onbuildText, flags, args: [], json: false, trigger: line };
  }
  return line;
}
