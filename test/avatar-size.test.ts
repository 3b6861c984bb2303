/**
 * The avatar `size` as templates pass it (issue 8 §8): a string of decimal digits (`size="40"` in
 * Handlebars and Liquid, a Nunjucks keyword or a variable holding one) is the number; any other
 * value is reported once (`INVALID_OPTION`) and the default size drawn; an absent one (`undefined`,
 * `null`, `''`) is the default, silently. Through the JS API and the three real engines.
 */
import Handlebars from 'handlebars';
import { Liquid } from 'liquidjs';
import nunjucks from 'nunjucks';
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { registerHandlebars } from '../adapters/handlebars.js';
import { registerLiquid } from '../adapters/liquid.js';
import { registerNunjucks } from '../adapters/nunjucks.js';
import { createLogoResolver, fsStorage, uiAvatars, type LogoFallbackError } from '../src/index.js';
import { avatarSize } from '../src/avatar-memo.js';
import { tempMedia } from './helpers/media.js';

const media = tempMedia({ 'a.png': 'png' });
const avatar = uiAvatars({ background: '#1e3a8a' });
const missing = { company: 'Zed Partners', icon: 'gone.png' };
const at = (size?: number): string => `https://ui-avatars.com/api/?name=ZP${size === undefined ? '' : `&size=${size}`}&background=1e3a8a&color=ffffff`;
const html = (url: string): string => url.replaceAll('&', '&amp;');

function setup(): { logos: ReturnType<typeof createLogoResolver>; errors: LogoFallbackError[] } {
  const errors: LogoFallbackError[] = [];
  return { logos: createLogoResolver({ storage: fsStorage({ root: media.root }), avatar, onError: (error) => errors.push(error) }), errors };
}

// ui-avatars draws 16–512 px, so '16' and '512' stand for the ends here (avatarSize itself: 1–2048, the property below).
const VALID = [['40', 40], ['16', 16], ['512', 512], ['99', 99], [40, 40], [512, 512]] as const;
const INVALID = ['0', '040', '40px', ' 40', '40 ', '4e1', '0x28', '40.0', '2049', '-40', '+40', '٤٠', 0, 2049, 40.5, Number.NaN, Number.POSITIVE_INFINITY, -1, true, 40n, [40]] as const;
const ABSENT = [undefined, null, ''] as const;

test('JS API: a canonical digit string is the number; absent is the default, silently', () => {
  const { logos, errors } = setup();
  for (const [size, number] of VALID) {
    assert.is(logos.logo(missing, { size } as never), at(number), String(size));
    assert.is(logos.fileUrl('gone.png', 'Zed Partners', { size } as never), at(number), String(size));
    assert.is(logos.avatar('Zed Partners', { size } as never), at(number), String(size));
  }
  for (const size of ABSENT) assert.is(logos.logo(missing, { size } as never), at(), String(size));
  assert.equal(errors, []);
});

test('JS API: anything else draws the default size and is reported once per value', () => {
  const { logos, errors } = setup();
  for (const size of INVALID) {
    const before = errors.length;
    for (let i = 0; i < 3; i++) {
      assert.is(logos.logo(missing, { size } as never), at(), String(size));
      assert.is(logos.avatar('Zed Partners', { size } as never), at(), String(size));
    }
    assert.is(errors.length, before + 1, `${String(size)}: one report`);
    assert.is(errors.at(-1)?.code, 'INVALID_OPTION');
    assert.match(errors.at(-1)?.message ?? '', /avatar "size" must be an integer from 1 to 2048/);
  }
  assert.match(errors[1]?.message ?? '', /got "040"/);
  // Objects are named by their type only (a Proxy is never read): one report for all of them.
  const before = errors.length;
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  for (const size of [{ size: 40 }, proxy, () => 40]) assert.is(logos.avatar('Zed Partners', { size } as never), at());
  assert.is(errors.length, before + 1);
});

test('property: avatarSize accepts exactly the integers 1–2048, as numbers or as their canonical decimal strings', () => {
  fc.assert(
    fc.property(fc.oneof(fc.integer({ min: -5000, max: 5000 }), fc.string({ maxLength: 6 }), fc.stringMatching(/^[0-9]{1,5}$/), fc.double()), (size) => {
      const got = avatarSize(size);
      const n = typeof size === 'string' ? Number(size) : size;
      const usable = Number.isInteger(n) && n >= 1 && n <= 2048 && (typeof size === 'number' || String(n) === size);
      if (size === '') return got === undefined;
      return usable ? got === n : typeof got === 'symbol';
    }),
    { verbose: true },
  );
});

test('Nunjucks, Handlebars and Liquid: size="40", a variable holding "40" and size=40 draw the same avatar; size="big" the default, one report', async () => {
  const { logos, errors } = setup();
  const env = registerNunjucks(new nunjucks.Environment(), logos);
  const hbs = Handlebars.create();
  registerHandlebars(hbs, logos);
  const liquid = new Liquid();
  registerLiquid(liquid, logos);
  const c = missing;
  const expected = html(at(40));
  for (const source of ['{{ c | get_company_logo(size="40") }}', '{{ c | get_company_logo(size=s) }}', '{{ c | get_company_logo(size=40) }}', '{{ c.icon | get_company_logo_url(c.company, size="40") }}']) {
    assert.is(env.renderString(source, { c, s: '40' }), expected, `Nunjucks ${source}`);
  }
  for (const source of ['{{get_company_logo c size="40"}}', '{{get_company_logo c size=s}}', '{{get_company_logo c size=40}}', '{{get_company_logo_url c.icon c.company size="40"}}']) {
    assert.is(hbs.compile(source)({ c, s: '40' }), expected, `Handlebars ${source}`);
  }
  for (const source of ['{{ c | get_company_logo: size: "40" }}', '{{ c | get_company_logo: size: s }}', '{{ c | get_company_logo: size: 40 }}']) {
    assert.is(await liquid.parseAndRender(source, { c, s: '40' }), expected, `Liquid ${source}`);
  }
  assert.equal(errors, []);
  const page = { items: [c, c, c] };
  assert.is(env.renderString('{% for c in items %}{{ c | get_company_logo(size="big") }}{% endfor %}', page), html(at()).repeat(3));
  assert.is(hbs.compile('{{#each items}}{{get_company_logo this size="big"}}{{/each}}')(page), html(at()).repeat(3));
  assert.is(await liquid.parseAndRender('{% for c in items %}{{ c | get_company_logo: size: "big" }}{% endfor %}', page), html(at()).repeat(3));
  assert.is(errors.length, 1, errors.map((e) => e.message).join(' | '));
  assert.match(errors[0]?.message ?? '', /got "big"/);
});

test.after(() => media.cleanup());

test.run();
