import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseReference } from '../src/keys.js';

test('a plain key is a key', () => {
  assert.equal(parseReference('base/a.png'), { kind: 'key', key: 'base/a.png' });
});

test.run();
