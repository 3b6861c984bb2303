/**
 * The `avatar` option fails at start-up, not on every render: a provider factory passed uncalled
 * (`avatar: initialsAvatar`), a provider that throws, or one that returns anything but a safe avatar
 * URL is refused by `createLogoResolver` with a `LogoFallbackError` that says what to pass. The
 * provider is tried once, on the placeholder.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createLogoResolver, initialsAvatar, LogoFallbackError, uiAvatars, type AvatarProvider } from '../src/index.js';

function refused(avatar: unknown, pattern: RegExp, placeholder?: string): void {
  try {
    createLogoResolver({ avatar: avatar as AvatarProvider, ...(placeholder === undefined ? {} : { placeholder }) });
  } catch (error) {
    assert.instance(error, LogoFallbackError);
    assert.is((error as LogoFallbackError).code, 'INVALID_OPTION');
    assert.match((error as Error).message, /^\[logo-fallback\] createLogoResolver\(\): "avatar"/);
    assert.match((error as Error).message, pattern);
    return;
  }
  assert.unreachable(`accepted ${String(avatar)}`);
}

test("the package's factories passed uncalled: refused, saying to call them", () => {
  refused(initialsAvatar, /"avatar" is initialsAvatar itself, which makes providers: call it — avatar: initialsAvatar\(\)/);
  refused(uiAvatars, /"avatar" is uiAvatars itself, which makes providers: call it — avatar: uiAvatars\(\)/);
});

test("an app's own factory passed uncalled (it returns a function): refused, naming it", () => {
  function brandAvatar(options: { color?: string } = {}): AvatarProvider {
    return ({ name }) => `/avatars/${encodeURIComponent(name)}.svg?c=${options.color ?? 'blue'}`;
  }
  refused(brandAvatar, /"avatar" returned a function, not a URL: it looks like a provider factory — call it: avatar: brandAvatar\(\)/);
  refused(Object.defineProperty(() => () => '/a.svg', 'name', { value: '' }), /call it: avatar: yourFactory\(\)/);
});

test('a provider that throws, or returns an unsafe URL, for the placeholder: refused with the reason', () => {
  refused(() => { throw new Error('font missing'); }, /threw when it drew the placeholder \("C"\): font missing/);
  refused(new Proxy(() => '/a.svg', { apply: () => { throw new Error('trap'); } }), /threw when it drew the placeholder/);
  const revocable = Proxy.revocable(() => '/a.svg', {});
  revocable.revoke();
  refused(revocable.proxy, /threw when it drew the placeholder/);
  for (const [url, shown] of [
    ['javascript:alert(1)', /returned "javascript:alert\(1\)" for the placeholder \("Q"\), not a safe avatar URL/],
    ['vbscript:msgbox(1)', /not a safe avatar URL/],
    ['data:text/html,x', /not a safe avatar URL/],
    ['', /returned "" for the placeholder/],
    [42, /returned 42 for the placeholder/],
    [undefined, /returned undefined/],
    [Promise.resolve('/a.svg'), /returned \[object Promise\]/],
  ] as const) {
    refused(() => url, shown, 'Q');
  }
  refused('/avatars/a.svg', /must be an avatar provider such as initialsAvatar\(\) or uiAvatars\(\) \(a function\), got "\/avatars\/a.svg"/);
});

test('providers that draw the placeholder are accepted, and the placeholder is what they were asked for', () => {
  for (const avatar of [initialsAvatar(), initialsAvatar({ route: '/avatars/' }), initialsAvatar({ format: 'png' }), uiAvatars()]) {
    const logos = createLogoResolver({ avatar });
    assert.is(logos.avatar(), avatar({ name: 'C' }));
  }
  const asked: string[] = [];
  const logos = createLogoResolver({ placeholder: 'Nobody', avatar: ({ name }) => (asked.push(name), `https://avatars.example/${encodeURIComponent(name)}`) });
  assert.equal(asked, ['Nobody'], 'tried once, at construction, on the placeholder');
  assert.is(logos.avatar('Acme Corp'), 'https://avatars.example/Acme%20Corp');
});

test.run();
