import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinFieldPaths, fieldPathsFrom } from './fields.js';
import { item, type Pipeline } from '../sigma/pipeline/types.js';

test('a rule field name is tried as written, then as every pipeline maps it, then with every prefix', () => {
  const p: Pipeline = {
    name: 'site',
    priority: 10,
    vars: {},
    items: [
      item({ type: 'field_name_mapping', mapping: { User: ['user.name', 'user.id'], Host: 'host.name' } }),
      item({ type: 'field_name_prefix', prefix: 'raw.' }),
    ],
  };
  const paths = fieldPathsFrom([p]);
  assert.deepEqual(paths('User'), ['User', 'user.name', 'user.id', 'raw.User']);
  assert.deepEqual(paths('container.id'), ['container.id', 'raw.container.id']);
  assert.equal(paths('User'), paths('User'));
  assert.ok(builtinFieldPaths()('User').includes('user.name'));
  assert.ok(builtinFieldPaths()('Image').includes('process.executable'));
});
