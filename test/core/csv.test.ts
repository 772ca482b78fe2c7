// The library's CSV reader (parseCsv): the same table from a string, a web ReadableStream and an
// async iterable of byte pieces cut anywhere (inside a quoted field, inside a UTF-8 character);
// every bad input a DataError naming the line and the column.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DataError, parseCsv, type Table } from '../../src/index.ts';

const TEXT = 'name,note,y\r\n"a, b","say ""hi""",1\r\n\r\nc,"two\r\nlines",2.5\r\nd,café ☕,3\r\n';

function values(t: Table): unknown[][] {
  return t.columns.map((c) => (c.kind === 'numeric' ? Array.from(c.values) : Array.from(c.codes, (k) => (k < 0 ? null : c.levels[k]))));
}

/** The bytes of `text` as pieces of `size` bytes: multi-byte characters split across pieces. */
function* pieces(text: string, size: number): Generator<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

describe('parseCsv', () => {
  test('a string, a ReadableStream and byte pieces of every size give the same table and lines', async () => {
    const want = await parseCsv(TEXT);
    assert.deepEqual(want.names, ['name', 'note', 'y']);
    assert.deepEqual(values(want), [['a, b', 'c', 'd'], ['say "hi"', 'two\r\nlines', 'café ☕'], [1, 2.5, 3]]);
    assert.deepEqual([0, 1, 2].map((r) => want.line(r)), [2, 4, 6]);
    assert.equal(want.index.get('y'), 2);
    for (const size of [1, 2, 3, 5, 7, 64]) {
      const t = await parseCsv(pieces(TEXT, size));
      assert.deepEqual(values(t), values(want), `pieces of ${size} bytes`);
      assert.deepEqual([0, 1, 2].map((r) => t.line(r)), [2, 4, 6]);
      const asyncPieces = (async function* () {
        yield* pieces(TEXT, size);
      })();
      assert.deepEqual(values(await parseCsv(asyncPieces)), values(want));
    }
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (const p of pieces(TEXT, 4)) c.enqueue(p);
        c.close();
      },
    });
    assert.deepEqual(values(await parseCsv(stream)), values(want));
  });

  test('more text than the delimiter sample: rows after the first 64 KB arrive too', async () => {
    const rows = Array.from({ length: 20000 }, (_, i) => `${i};${i % 3 === 0 ? 'x' : 'y'}`);
    const text = 'n;c\n' + rows.join('\n') + '\n';
    const t = await parseCsv(pieces(text, 1000), { source: 'big.csv' });
    assert.equal(t.rows, 20000);
    const n = t.columns[0];
    assert.equal(n.kind, 'numeric');
    if (n.kind === 'numeric') assert.equal(n.values[19999], 19999);
  });

  test('bad input: empty, header only, ragged row, unclosed quote, a chunk that is not text', async () => {
    await assert.rejects(parseCsv(''), (e: DataError) => e instanceof DataError && e.code === 'E_EMPTY');
    await assert.rejects(parseCsv('a,b\n'), (e: DataError) => e.code === 'E_EMPTY' && /no data rows/.test(e.message));
    await assert.rejects(parseCsv('a,b\n1,2\n3\n', { source: 'f.csv' }), (e: DataError) => e.code === 'E_CSV' && /^f\.csv line 3: expected 2 fields/.test(e.message) && e.row === 3 && e.expected === 2 && e.received === 1);
    await assert.rejects(parseCsv('a,b\n1,"2\n3,4\n'), (e: DataError) => e.code === 'E_CSV' && /line 2: a quoted field is never closed/.test(e.message));
    await assert.rejects(parseCsv([42 as unknown as string]), (e: DataError) => e.code === 'E_CSV' && /chunks of text or bytes/.test(e.message));
    await assert.rejects(parseCsv(null as unknown as string), (e: DataError) => e.code === 'E_CSV');
  });

  // issue 13 item 12: "1e400" read as Infinity, reported later as "fit: row 2, column 0 is Infinity"
  test('a number outside the float64 range names the source, the line and the column', async () => {
    await assert.rejects(parseCsv('x,size,y\n1,2,0\n3,4,1\n5,1e400,0\n', { source: 'houses.csv' }), (e: DataError) => {
      assert.equal(e.code, 'E_NONFINITE');
      assert.match(e.message, /^houses\.csv line 4, column "size" \(column 2\): "1e400" is outside the range of a float64 number/);
      assert.equal(e.row, 4);
      assert.equal(e.column, 'size');
      assert.equal(e.received, '1e400');
      return true;
    });
    await assert.rejects(parseCsv('x,y\n-1e309,0\n'), /line 2, column "x"/);
  });
});
