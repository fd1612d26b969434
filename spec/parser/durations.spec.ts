// Go durations: parsing with Go's acceptance rules and error texts, printing as Duration.String().
import { expect } from 'chai';
import { formatGoDuration, parseGoDuration } from '../../parser/durations.js';

describe('parseGoDuration', () => {
  const valid: [string, number][] = [
    ['0', 0],
    ['+0', 0],
    ['-0', 0],
    ['0s', 0],
    ['1ns', 1],
    ['1.5s', 1_500_000_000],
    ['.5s', 500_000_000],
    ['5.s', 5_000_000_000],
    ['1h30m', 5_400_000_000_000],
    ['1m1.000000001s', 61_000_000_001],
    ['100us', 100_000],
    ['100µs', 100_000],
    ['100μs', 100_000],
    ['-1.5ms', -1_500_000],
    ['1h2m3s4ms5us6ns', 3_723_004_005_006],
    ['0.000000001s', 1],
    ['2562047h', 2562047 * 3_600_000_000_000],
  ];
  for (const [text, nanoseconds] of valid) {
    it(`${JSON.stringify(text)} is ${nanoseconds}ns`, () => expect(parseGoDuration(text)).to.equal(nanoseconds));
  }

  const invalid: [string, string][] = [
    ['', 'time: invalid duration ""'],
    ['-', 'time: invalid duration "-"'],
    ['s', 'time: invalid duration "s"'],
    ['.s', 'time: invalid duration ".s"'],
    ['1', 'time: missing unit in duration "1"'],
    ['1.5', 'time: missing unit in duration "1.5"'],
    ['3x', 'time: unknown unit "x" in duration "3x"'],
    ['1d', 'time: unknown unit "d" in duration "1d"'],
    ['1 s', 'time: unknown unit " s" in duration "1 s"'],
    ['9223372036854775808ns', 'time: invalid duration "9223372036854775808ns"'],
    ['3000000h', 'time: invalid duration "3000000h"'],
  ];
  for (const [text, message] of invalid) {
    it(`${JSON.stringify(text)} fails: ${message}`, () => expect(() => parseGoDuration(text)).to.throw(message));
  }
});

describe('formatGoDuration', () => {
  const cases: [number, string][] = [
    [0, '0s'],
    [1, '1ns'],
    [999, '999ns'],
    [1_000, '1µs'],
    [1_500, '1.5µs'],
    [100_000_000, '100ms'],
    [1_000_000_000, '1s'],
    [1_500_000_000, '1.5s'],
    [60_000_000_000, '1m0s'],
    [90_000_000_000, '1m30s'],
    [3_600_000_000_000, '1h0m0s'],
    [3_723_004_005_006, '1h2m3.004005006s'],
    [-1_500_000, '-1.5ms'],
  ];
  for (const [nanoseconds, text] of cases) {
    it(`${nanoseconds}ns prints as ${text}`, () => expect(formatGoDuration(nanoseconds)).to.equal(text));
  }
});
