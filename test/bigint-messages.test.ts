/**
 * A BigInt in an option is refused with a LogoFallbackError that shows it as written (`5n`), never
 * a TypeError from `JSON.stringify` (which cannot serialise a BigInt) — brief textfix item 4.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createLogoResolver, initialsAvatar, LogoFallbackError, uiAvatars } from '../src/index.js';
import { avatarFetchHandler, mediaHandler } from '../src/server/index.js';

test('a BigInt option is INVALID_OPTION, shown as 5n', () => {
  const logos = createLogoResolver({ onError: () => {} });
  const cases: Array<[string, () => unknown, RegExp]> = [
    ['initialsAvatar placeholder', () => initialsAvatar({ placeholder: 5n as never }), /initialsAvatar\(\): "placeholder" must be .*, got 5n$/],
    ['uiAvatars placeholder', () => uiAvatars({ placeholder: 6n as never }), /uiAvatars\(\): "placeholder" must be .*, got 6n$/],
    ['initialsAvatar fontFamily', () => initialsAvatar({ fontFamily: 7n as never }), /"fontFamily" must be .*, got 7n$/],
    ['initialsAvatar size', () => initialsAvatar({ size: 40n as never }), /got 40n$/],
    ['avatarFetchHandler shape', () => avatarFetchHandler({ shape: 8n as never } as never), /"shape" must be one of .*, got 8n$/],
    ['mediaHandler prefix', () => mediaHandler(logos, { prefix: 9n as never } as never), /got 9n$|"prefix" must be a string/],
    ['createLogoResolver placeholder', () => createLogoResolver({ placeholder: 10n as never }), /got 10n$/],
  ];
  for (const [label, make, message] of cases) {
    let caught: unknown;
    try {
      make();
    } catch (error) {
      caught = error;
    }
    assert.ok(caught instanceof LogoFallbackError, `${label}: ${String(caught)}`);
    assert.is(caught.code, 'INVALID_OPTION', label);
    assert.match(caught.message, message, label);
  }
});

test.run();
