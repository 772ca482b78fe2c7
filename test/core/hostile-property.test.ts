// Property-based tests (fast-check) for hostile input (issue 13): generated model documents, MLPK
// byte strings and CSV texts. Whatever is generated, the answer is a coded MlpError or a correct
// load, never another exception, and never more than 100 MB or 1 s for one case.
// NOTE: the time and memory bounds are the acceptance bounds, not benchmarks: a case takes
// about a millisecond; the bounds catch a document that allocates what it declares (gigabytes,
// tens of seconds), with a wide margin for a busy machine.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MLP, MlpError, fromBytes, fromJSON, parseCsv, toBytes, toJSON } from '../../src/index.ts';
import { crc32 } from '../../src/io/format.ts';

// fixed: the same cases on every run (MLPKIT_FC_SEED=n explores others)
const SEED = Number(process.env.MLPKIT_FC_SEED ?? 13);
const MAX_MS = 1000;
const MAX_BYTES = 100e6;

/** Run one case within the bounds; `f` may throw an MlpError and nothing else. */
async function bounded(what: string, f: () => unknown): Promise<'ok' | 'refused'> {
  const rss = process.memoryUsage().rss;
  const t0 = performance.now();
  let result: 'ok' | 'refused' = 'ok';
  try {
    await f();
  } catch (e) {
    if (!(e instanceof MlpError)) throw new Error(`${what}: expected a coded MlpError or a load, received ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
    assert.ok(typeof e.code === 'string' && e.code.startsWith('E_'), `${what}: error without a code`);
    result = 'refused';
  }
  const ms = performance.now() - t0;
  assert.ok(ms < MAX_MS, `${what}: took ${ms.toFixed(0)} ms`);
  assert.ok(process.memoryUsage().rss - rss < MAX_BYTES, `${what}: grew the process by more than 100 MB`);
  return result;
}

const x = [[0, 0], [0, 1], [1, 0], [1, 1], [0.5, 0.2], [0.1, 0.9]];
const y = [0, 1, 1, 0, 1, 0];
const model = new MLP({ hidden: [3], seed: 1, schedule: { type: 'plateau' }, optimizer: 'sgd' });
model.fit(x, y, { epochs: 2 });
model.metadata = { note: 'a', nested: { list: [1, 2, { deep: true }] } };
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

/** Every path to a value in a JSON document: ['weights', 'layers', 0, 'W'], … */
function paths(v: Json, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  // not into the depths of a generated value: a 3,000-level array would overflow this recursion
  if (v !== null && typeof v === 'object' && prefix.length < 12) for (const [k, c] of Object.entries(v)) paths(c, [...prefix, Array.isArray(v) ? Number(k) : k], out);
  return out;
}

/** Values a hostile file holds: huge sizes, odd numbers, wrong types, deep nesting, long strings. */
const hostileValue: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1e8, 5e4, 1e300, -1e308, 5e-324, 3.5e38, 2 ** 32, 1.5, '', 'A', 'AAAAA', '====', 'relu', 'softmax', 'float64', 'nested', 'base64', [], {}),
  fc.integer({ min: -10, max: 100000 }),
  fc.double(),
  fc.string({ maxLength: 12 }),
  fc.array(fc.double(), { maxLength: 8 }),
  fc.jsonValue({ maxDepth: 4 }),
  fc.integer({ min: 150, max: 3000 }).map((depth) => {
    let v: Json = 1;
    for (let i = 0; i < depth; i++) v = [v];
    return v;
  }),
);

interface Mutation {
  pick: number;
  kind: 'set' | 'delete' | 'scale';
  value: Json;
}
const mutations = fc.array(fc.record({ pick: fc.nat(), kind: fc.constantFrom<Mutation['kind']>('set', 'set', 'delete', 'scale'), value: hostileValue }), { minLength: 1, maxLength: 4 });

/** Apply mutations to a copy: set a value, delete a key, or multiply a number (a declared size). */
function mutate(doc: Json, ms: Mutation[]): Json {
  const d = structuredClone(doc);
  for (const m of ms) {
    const all = paths(d).filter((p) => p.length > 0);
    if (all.length === 0) break;
    const p = all[m.pick % all.length];
    let parent = d;
    for (const k of p.slice(0, -1)) parent = parent[k];
    const key = p[p.length - 1];
    if (m.kind === 'delete') {
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key];
    } else if (m.kind === 'scale' && typeof parent[key] === 'number') parent[key] *= 1000;
    else parent[key] = m.value;
  }
  return d;
}

test('generated hostile model documents: a coded error or a load that survives its own round trip', async () => {
  const docs = [toJSON(model), toJSON(model, { weights: 'nested' }), toJSON(model, { training: false })];
  let loaded = 0;
  let refused = 0;
  await fc.assert(
    fc.asyncProperty(fc.nat({ max: docs.length - 1 }), mutations, fc.boolean(), async (which, ms, asText) => {
      const d = mutate(docs[which], ms);
      const r = await bounded('fromJSON', () => {
        const m = fromJSON(asText ? JSON.stringify(d) : d);
        // what loads saves and loads again, to the same document
        const again = toJSON(m);
        assert.deepEqual(toJSON(fromJSON(JSON.parse(JSON.stringify(again)))), again);
      });
      if (r === 'ok') loaded++;
      else refused++;
    }),
    { seed: SEED, numRuns: 300, verbose: process.env.MLPKIT_FC_VERBOSE ? 2 : 0 },
  );
  assert.ok(refused > 100, `most mutations are refused (${refused} refused, ${loaded} loaded)`);
});

/** An MLPK file around a header document: its arrays as they are, a correct or a broken checksum. */
function mlpk(header: Json, data: Uint8Array, checksum: boolean): Uint8Array {
  const h = new TextEncoder().encode(JSON.stringify(header));
  const start = Math.ceil((8 + h.length) / 8) * 8;
  const out = new Uint8Array(start + data.length + 4);
  out.set([0x4d, 0x4c, 0x50, 0x4b]);
  new DataView(out.buffer).setUint32(4, h.length, true);
  out.set(h, 8);
  out.set(data, start);
  new DataView(out.buffer).setUint32(start + data.length, checksum ? crc32(out.subarray(0, start + data.length)) : 0, true);
  return out;
}

test('generated MLPK byte strings: flipped, cut and spliced bytes, and hostile headers with a valid checksum', async () => {
  const bytes = toBytes(model);
  const len = new DataView(bytes.buffer).getUint32(4, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + len)));
  const data = bytes.subarray(Math.ceil((8 + len) / 8) * 8, bytes.length - 4);
  const damage = fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat({ max: 7 }) }),
    fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('splice' as const), at: fc.nat(), junk: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
    fc.record({ kind: fc.constant('random' as const), junk: fc.uint8Array({ maxLength: 64 }), len: fc.nat() }),
    fc.record({ kind: fc.constant('header' as const), ms: mutations, checksum: fc.boolean() }),
  );
  await fc.assert(
    fc.asyncProperty(damage, async (dmg) => {
      let b: Uint8Array;
      if (dmg.kind === 'flip') {
        b = bytes.slice();
        b[dmg.at % b.length] ^= 1 << dmg.bit;
      } else if (dmg.kind === 'cut') b = bytes.slice(0, dmg.at % bytes.length);
      else if (dmg.kind === 'splice') {
        const at = dmg.at % bytes.length;
        b = new Uint8Array([...bytes.subarray(0, at), ...dmg.junk, ...bytes.subarray(at)]);
      } else if (dmg.kind === 'random') {
        b = new Uint8Array(8 + dmg.junk.length);
        b.set([0x4d, 0x4c, 0x50, 0x4b]);
        new DataView(b.buffer).setUint32(4, dmg.len, true);
        b.set(dmg.junk, 8);
      } else b = mlpk(mutate(header, dmg.ms), data, dmg.checksum);
      const r = await bounded(`fromBytes (${dmg.kind})`, () => fromBytes(b));
      // a damaged byte is never loaded silently: only a hostile header with its own valid checksum can load
      if (dmg.kind === 'flip' || dmg.kind === 'cut' || dmg.kind === 'splice') assert.equal(r, 'refused', `${dmg.kind} loaded`);
    }),
    { seed: SEED, numRuns: 400 },
  );
});

// ---- CSV -------------------------------------------------------------------------------------

// mostly cells a table holds; now and then one that breaks it (an unclosed quote, 1e400)
const cell = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom('', 'NA', '?', '1', '-2.5', '1e308', '5e-324', '0x10', 'Infinity', 'NaN', '""', '"a,b"', '"two\nlines"', '=cmd|\' /C calc\'!A0', '@SUM(A1)', ' ', 'café', 'red') },
  { weight: 6, arbitrary: fc.double().map(String) },
  { weight: 1, arbitrary: fc.constantFrom('"', '"un', 'a"b', '1e400', '-1e309', '\t', '\r', '\uFEFF') },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
);
const csvText = fc
  .record({
    delimiter: fc.constantFrom(',', ';', '\t', '|'),
    // mostly rows as wide as the header; one in ten cut short or too long
    rows: fc.array(fc.record({ cells: fc.array(cell, { minLength: 8, maxLength: 8 }), width: fc.integer({ min: -9, max: 8 }) }), { maxLength: 12 }),
    header: fc.uniqueArray(fc.constantFrom('a', 'b', 'c', '', 'y', 'x y', '"q"', 'p_=1', '=x'), { minLength: 1, maxLength: 6 }),
    duplicate: fc.integer({ min: 0, max: 9 }).map((k) => k === 0),
    eol: fc.constantFrom('\n', '\r\n', '\r'),
    bom: fc.boolean(),
  })
  .map(({ delimiter, rows, header, duplicate, eol, bom }) => {
    const names = duplicate ? [...header, header[0]] : header;
    const body = rows.map((r) => r.cells.slice(0, r.width > 0 ? r.width : names.length));
    return (bom ? '\uFEFF' : '') + [names, ...body].map((r) => r.join(delimiter)).join(eol) + eol;
  });

test('generated CSV texts: a table with every value finite or missing, or a coded error; cut into pieces anywhere, the same answer', async () => {
  let tables = 0;
  await fc.assert(
    fc.asyncProperty(csvText, fc.integer({ min: 1, max: 17 }), async (text, size) => {
      let whole: unknown;
      const r = await bounded('parseCsv', async () => {
        const t = await parseCsv(text, { source: 'gen.csv' });
        assert.equal(t.columns.length, t.names.length);
        assert.equal(new Set(t.names).size, t.names.length, 'distinct names');
        for (const c of t.columns) {
          if (c.kind === 'numeric') {
            assert.equal(c.values.length, t.rows);
            for (const v of c.values) assert.ok(Number.isFinite(v) || Number.isNaN(v), `no Infinity in a column: ${v}`);
          } else {
            assert.equal(c.codes.length, t.rows);
            for (const k of c.codes) assert.ok(k >= -1 && k < c.levels.length);
          }
        }
        whole = { names: t.names, rows: t.rows, columns: t.columns, lines: Array.from({ length: t.rows }, (_, i) => t.line(i)) };
      });
      if (r === 'ok') tables++;
      // the same text as UTF-8 byte pieces of `size` bytes
      const bytes = new TextEncoder().encode(text);
      const pieces = Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size));
      let chunked: unknown;
      const r2 = await bounded('parseCsv (pieces)', async () => {
        const t = await parseCsv(pieces, { source: 'gen.csv' });
        chunked = { names: t.names, rows: t.rows, columns: t.columns, lines: Array.from({ length: t.rows }, (_, i) => t.line(i)) };
      });
      assert.equal(r2, r, 'pieces and the whole text agree on accepting it');
      if (r === 'ok') assert.deepEqual(chunked, whole);
    }),
    { seed: SEED, numRuns: 300 },
  );
  assert.ok(tables > 20, `some generated texts are tables (${tables})`);
});
