/**
 * The `avatar` option fails at start-up, not on every render: a provider factory passed uncalled
 * (`avatar: initialsAvatar`), a provider that throws, or one that returns anything but a safe avatar
 * URL is refused by `createLogoResolver` with a `LogoFallbackError` that says what to pass. The
 * provider is tried once, on the placeholder. The same for `storage` and `shared`: a factory passed
 * uncalled (`storage: fsStorage`) is named, with the call to make.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createLogoResolver, fsStorage, httpStorage, initialsAvatar, LogoFallbackError, s3Storage, uiAvatars, type AvatarProvider, type LogoResolverOptions } from '../src/index.js';
import { redisShared } from '../src/shared/redis.js';

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

function refusedOption(options: Record<string, unknown>, pattern: RegExp): void {
  try {
    createLogoResolver(options as LogoResolverOptions);
  } catch (error) {
    assert.instance(error, LogoFallbackError);
    assert.is((error as LogoFallbackError).code, 'INVALID_OPTION');
    assert.match((error as Error).message, pattern);
    return;
  }
  assert.unreachable(`accepted ${Object.keys(options).join(', ')}`);
}

test('storage and shared: a factory passed uncalled is named, with the call to make', () => {
  refusedOption({ storage: fsStorage }, /"storage" is a function \(fsStorage\), not what it makes: call it — storage: fsStorage\(\{ root: "media" \}\)/);
  refusedOption({ storage: httpStorage }, /"storage" is a function \(httpStorage\), not what it makes: call it — storage: httpStorage\(…\)/);
  refusedOption({ storage: s3Storage }, /call it — storage: s3Storage\(…\)/);
  refusedOption({ storage: () => ({}) }, /"storage" is a function, not what it makes: call it — storage: fsStorage\(\{ root: "media" \}\)/);
  refusedOption({ storage: new Proxy(() => ({}), { get: () => { throw new Error('trap'); } }) }, /"storage" is a function, not what it makes/);
  refusedOption({ shared: redisShared }, /"shared" is a function \(redisShared\), not what it makes: call it — shared: redisShared\(\{ client, subscriber \}\)/);
  // An object that is not a storage keeps the message about what a storage is.
  refusedOption({ storage: { exists: () => true } }, /"storage" must be a storage driver such as fsStorage/);
});

test.run();
