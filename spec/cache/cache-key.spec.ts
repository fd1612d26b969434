import { expect } from 'chai';
import { cacheKey, canonicalJson, explainKeyChange, keyInput, SCHEMA, sha256Hex, type KeyParts } from '../../cache/cache-key.js';

// Golden values: these lock the key recipe. If one changes, the recipe changed, and SCHEMA
// must be bumped together with the new goldens (old records then stop matching, as they must).
const RUN_PARTS: KeyParts = {
  parent: 'scratch',
  kind: 'RUN',
  op: { args: ['sh', '-c', 'echo hi'], env: { PATH: '/bin' } },
  platform: { os: 'linux', architecture: 'amd64' },
};
const COPY_PARTS: KeyParts = {
  parent: `sha256:${'a'.repeat(64)}`,
  kind: 'COPY',
  op: { dest: '/app', chmod: null },
  platform: 'linux/amd64',
  inputs: [{ files: { 'src/server.js': `sha256:${'b'.repeat(64)}` } }],
};

describe('cache/cache-key', () => {
  describe('canonicalJson', () => {
    it('sorts keys by code unit, drops whitespace and escapes strings as JSON', () => {
      const text = canonicalJson({ b: [1, 'x', null, true, { z: 1, a: -0 }], a: 'é\n"', c: 1e21, d: 0.1, B: '\u2028', '\u{1F600}': 1, é: 2 });
      expect(text).to.equal('{"B":"\u2028","a":"é\\n\\"","b":[1,"x",null,true,{"a":0,"z":1}],"c":1e+21,"d":0.1,"é":2,"\u{1F600}":1}');
      expect(sha256Hex(text)).to.equal('ac07f5b7528082800e9b18d60e52b6c55e9b0c25259860d73840ab3ae7f3033e');
    });

    it('is independent of key insertion order and nesting', () => {
      expect(canonicalJson({ x: { b: 1, a: [{ d: 1, c: 2 }] }, y: 'z' })).to.equal(canonicalJson({ y: 'z', x: { a: [{ c: 2, d: 1 }], b: 1 } }));
    });

    it('escapes lone surrogates instead of emitting invalid UTF-8', () => {
      expect(canonicalJson('\ud800')).to.equal('"\\ud800"');
    });

    for (const [name, value] of [
      ['undefined', undefined],
      ['a function', () => 1],
      ['NaN', NaN],
      ['Infinity', -Infinity],
      ['a bigint', 1n],
      ['a symbol', Symbol('s')],
      ['a Date', new Date(0)],
      ['a Map', new Map()],
    ] as const) {
      it(`rejects ${name}, with the path where it is`, () => {
        expect(() => canonicalJson({ op: { env: { X: value } } })).to.throw(TypeError, /at \$\.op\.env\.X/);
      });
    }

    it('rejects sparse arrays, symbol keys and cycles', () => {
      // eslint-disable-next-line no-sparse-arrays
      expect(() => canonicalJson([1, , 2])).to.throw(TypeError, /hole/);
      expect(() => canonicalJson({ [Symbol('k')]: 1 })).to.throw(TypeError, /symbol/);
      const cycle: Record<string, unknown> = {};
      cycle.self = cycle;
      expect(() => canonicalJson(cycle)).to.throw(TypeError, /cycle/);
    });

    it('accepts a shared (non-cyclic) subobject twice', () => {
      const shared = { a: 1 };
      expect(canonicalJson([shared, shared])).to.equal('[{"a":1},{"a":1}]');
    });
  });

  describe('cacheKey', () => {
    it('has the golden schema version', () => {
      expect(SCHEMA).to.equal(3);
    });

    it('hashes the canonical JSON of { v, parent, kind, op, platform, inputs }', () => {
      expect(canonicalJson(keyInput(RUN_PARTS))).to.equal(
        '{"inputs":[],"kind":"RUN","op":{"args":["sh","-c","echo hi"],"env":{"PATH":"/bin"}},"parent":"scratch","platform":{"architecture":"amd64","os":"linux"},"v":3}',
      );
    });

    it('adds the layer epoch when the caller gives one (null too: layers keep their times)', () => {
      expect(canonicalJson(keyInput({ ...RUN_PARTS, layerEpoch: 0 }))).to.match(/"kind":"RUN","layerEpoch":0,"op"/);
      expect(canonicalJson(keyInput({ ...RUN_PARTS, layerEpoch: null }))).to.match(/"layerEpoch":null/);
      expect(cacheKey({ ...RUN_PARTS, layerEpoch: 0 })).to.equal('9902e2433f3a2c0cf948d252f042d5b621fd40c3f4ad52d90cfb0f6c02356502');
      expect(cacheKey({ ...RUN_PARTS, layerEpoch: 1_700_000_000 })).to.not.equal(cacheKey({ ...RUN_PARTS, layerEpoch: 0 }));
    });

    it('gives the golden digests', () => {
      expect(cacheKey(RUN_PARTS)).to.equal('dcb59342151a1257ab757661713b64d31bda64750c852ce9e5b4f667b6030eff');
      expect(cacheKey(COPY_PARTS)).to.equal('0e47f6808bf841b12b5b437296c16fdeed7c2c1b5a8bd605f1c3c9273ee19f76');
    });

    it('changes with every part', () => {
      const base = cacheKey(RUN_PARTS);
      const variants: KeyParts[] = [
        { ...RUN_PARTS, parent: 'sha256:' + '0'.repeat(64) },
        { ...RUN_PARTS, kind: 'COPY' },
        { ...RUN_PARTS, op: { args: ['sh', '-c', 'echo hi'], env: { PATH: '/usr/bin' } } },
        { ...RUN_PARTS, platform: { os: 'linux', architecture: 'arm64' } },
        { ...RUN_PARTS, inputs: [null] },
      ];
      const keys = variants.map(cacheKey);
      expect(new Set([base, ...keys]).size).to.equal(variants.length + 1);
    });

    it('never confuses values that a separator-joined recipe would', () => {
      const a = cacheKey({ ...RUN_PARTS, op: { args: ['a b', 'c'] } });
      const b = cacheKey({ ...RUN_PARTS, op: { args: ['a', 'b c'] } });
      expect(a).to.not.equal(b);
    });
  });

  describe('explainKeyChange', () => {
    it('lists changed, added and removed leaves with their paths', () => {
      const before = { op: { env: { VERSION: '1.0', OLD: 'x' } }, inputs: [{ files: { 'src/server.js': `sha256:${'b'.repeat(64)}` } }] };
      const after = { op: { env: { VERSION: '2.0', NEW: 'y' } }, inputs: [{ files: { 'src/server.js': `sha256:${'c'.repeat(64)}` } }] };
      expect(explainKeyChange(before, after)).to.deep.equal([
        'inputs[0].files["src/server.js"] changed',
        'op.env.NEW added: "y"',
        'op.env.OLD removed (was "x")',
        'op.env.VERSION: "1.0" → "2.0"',
      ]);
    });

    it('reports array growth, type changes and nothing for equal inputs', () => {
      expect(explainKeyChange({ a: [1] }, { a: [1, 2] })).to.deep.equal(['a[1] added: 2']);
      expect(explainKeyChange({ a: { b: 1 } }, { a: [1] })).to.deep.equal(['a: {"b":1} → [1]']);
      expect(explainKeyChange(keyInput(RUN_PARTS), keyInput(RUN_PARTS))).to.deep.equal([]);
      expect(explainKeyChange(1, 2)).to.deep.equal(['value: 1 → 2']);
    });

    it('caps the list and counts the rest', () => {
      const before = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, i]));
      const after = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, i + 1]));
      const lines = explainKeyChange(before, after, 3);
      expect(lines).to.have.length(4);
      expect(lines[3]).to.equal('… and 7 more differences');
    });
  });
});
