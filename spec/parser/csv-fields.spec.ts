// One CSV record as Go's encoding/csv reads it (for --mount and --device values).
import { expect } from 'chai';
import { csvFields } from '../../parser/csv-fields.js';

describe('csvFields', () => {
  const cases: [string, string[]][] = [
    ['a', ['a']],
    ['a,b', ['a', 'b']],
    ['a,', ['a', '']],
    [',', ['', '']],
    ['"a,b",c', ['a,b', 'c']],
    ['"say ""hi""",x', ['say "hi"', 'x']],
    ['"",x', ['', 'x']],
    ['"a",', ['a', '']],
    ['type=bind,"source=a,b"', ['type=bind', 'source=a,b']],
    [' a , b ', [' a ', ' b ']],
    ['a\n', ['a']],
  ];
  for (const [line, fields] of cases) {
    it(`${JSON.stringify(line)} → ${JSON.stringify(fields)}`, () => expect(csvFields(line)).to.deep.equal(fields));
  }

  const errors: [string, string][] = [
    ['', 'EOF'],
    ['a"b', 'parse error on line 1, column 2: bare " in non-quoted-field'],
    ['x,ü"', 'parse error on line 1, column 5: bare " in non-quoted-field'],
    ['"abc', 'parse error on line 1, column 2: extraneous or missing " in quoted-field'],
    ['"a"b', 'parse error on line 1, column 3: extraneous or missing " in quoted-field'],
  ];
  for (const [line, message] of errors) {
    it(`${JSON.stringify(line)} fails: ${message}`, () => expect(() => csvFields(line)).to.throw(message));
  }
});
