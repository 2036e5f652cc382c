import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alertFilter, decodeCursor, encodeCursor, escapeLike } from './query.js';

test('no filter is no WHERE clause', () => {
  assert.deepEqual(alertFilter({}), { where: '', args: [] });
});

test('filters join with AND, parameters in clause order; minLevel is a number, techniques match sub-techniques', () => {
  const f = alertFilter({ minLevel: 'high', technique: 't1562', status: ['new', 'acknowledged'] });
  assert.equal(f.where, 'WHERE level_n >= ? AND (instr(techniques, ?) > 0 OR instr(techniques, ?) > 0) AND status IN (?,?)');
  assert.deepEqual(f.args, [3, '|T1562|', '|T1562.', 'new', 'acknowledged']);
});

test('user text is taken literally in LIKE patterns', () => {
  assert.equal(escapeLike('50%_off\\'), '50\\%\\_off\\\\');
  const f = alertFilter({ text: '100%' });
  // summary, rule title, rule id, note, host, user, image, pod images, pod name
  assert.deepEqual(f.args, ['%100\\%%', '%100\\%%', '100%', '%100\\%%', '100%', '100%', '%100\\%%', '%100\\%%', '%100\\%%']);
});

test('a cursor is refused unless it is one this sort gave', () => {
  assert.deepEqual(decodeCursor(encodeCursor(['2026-11-22T10:00:00.000Z', 7]), 'time'), ['2026-11-22T10:00:00.000Z', 7]);
  assert.throws(() => decodeCursor(encodeCursor(['2026-11-22T10:00:00.000Z', 7]), 'level'), /not one of sort 'level'/);
  assert.throws(() => decodeCursor('%%%not-base64', 'time'), /bad cursor/);
  assert.throws(() => decodeCursor(encodeCursor([{ x: 1 }, 2]), 'time'), /bad cursor/);
});
