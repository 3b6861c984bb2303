/**
 * The demo app's request handler: the page, media (the package's media route), the avatar route,
 * uploads, /healthz and one stylesheet.
 * Plain `node:http`, so that nothing but logo-fallback is on show.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseReference, type LogoResolver } from '../../src/index.js';
import { SIDEBAR_ENGINES, type SidebarEngine } from '../../fixtures/render.js';
import { allSidebarRenderers } from '../../fixtures/render-locals.js';
import { AVATAR_ROUTE, type AvatarRoute } from './avatar-route.js';
import { AVATAR_CHOICES, type AvatarChoice, type DemoConfig } from './config.js';
import type { Company, CompanyStore } from './db.js';
import { checkHealth } from './health.js';
import { createMediaRoute } from './media.js';
import { renderPage, type CompanyView, type LogoCase, type PageModel } from './page.js';
import { readLogoUpload, removeLogo, storeLogo, UPLOAD_IDLE_TIMEOUT_MS, UploadAborted, UploadError } from './upload.js';

/** What the handler works with. */
export interface AppDeps {
  config: DemoConfig;
  store: CompanyStore;
  /** One resolver per avatar provider, over the same storage. */
  resolvers: Record<AvatarChoice, LogoResolver>;
  /** The avatar route and the e-mail column's resolver, over the same storage. */
  avatarRoute: AvatarRoute;
  /** Where one-line notices go (an aborted upload, a replaced logo that could not be removed). @default console.warn */
  log?: (line: string) => void;
  /** How long an upload may send nothing, ms. @default UPLOAD_IDLE_TIMEOUT_MS (10 s) */
  uploadIdleTimeout?: number;
}

const CSS = readFileSync(new URL('./public/demo.css', import.meta.url));

const PAGE_HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  // Defence in depth for the hostile-name company: even a missed escape could not run a script.
  'Content-Security-Policy': "default-src 'none'; img-src 'self' data: https://ui-avatars.com; style-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  // same-origin: with no-referrer, browsers send "Origin: null" on form posts, which the upload refuses.
  'Referrer-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

/** Builds the request handler. */
export function createApp({ config, store, resolvers, avatarRoute, log = console.warn, uploadIdleTimeout = UPLOAD_IDLE_TIMEOUT_MS }: AppDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const renderers = Object.fromEntries(AVATAR_CHOICES.map((choice) => [choice, allSidebarRenderers(resolvers[choice])])) as Record<
    AvatarChoice,
    ReturnType<typeof allSidebarRenderers>
  >;
  const allResolvers = [...Object.values(resolvers), avatarRoute.logos];
  const storage = resolvers.local.storage;
  const media = createMediaRoute(resolvers.local, store, config.mediaAccelPrefix);

  function caseOf(company: Company): LogoCase {
    if (company.icon === null || company.icon === '') return 'no icon';
    const reference = parseReference(company.icon, { baseUrl: storage.baseUrl, root: storage.root });
    if (reference.kind === 'invalid') return 'unsafe reference';
    if (reference.kind === 'external') return 'external URL';
    try {
      return storage.existsSync?.(reference.key) === true ? 'logo present' : 'file missing';
    } catch {
      return 'file missing';
    }
  }

  function view(company: Company, avatars: AvatarChoice, label: string): CompanyView {
    const context = { company, label };
    const sidebars = Object.fromEntries(SIDEBAR_ENGINES.map((engine) => [engine, renderers[avatars][engine](context)])) as Record<SidebarEngine, string>;
    const email = avatarRoute.logos.logo(company, { format: avatarRoute.format });
    return { company, case: caseOf(company), hostileName: /[<>"'&]/.test(company.company), sidebars, email };
  }

  function page(res: ServerResponse, status: number, url: URL, notice?: PageModel['notice']): void {
    const param = url.searchParams.get('avatars');
    const avatars = (AVATAR_CHOICES as readonly string[]).includes(param ?? '') ? (param as AvatarChoice) : config.avatars;
    const companies = store.list();
    const selectedId = Number(url.searchParams.get('company'));
    const selected = companies.find((c) => c.id === selectedId) ?? companies[0];
    const model: PageModel = {
      engine: config.engine,
      avatars,
      email: { format: avatarRoute.format, ...(avatarRoute.pngUnavailable === undefined ? {} : { pngUnavailable: avatarRoute.pngUnavailable }) },
      selected: selected === undefined ? undefined : view(selected, avatars, 'My Company'),
      companies: companies.map((company) => view(company, avatars, company.id === selected?.id ? 'My Company' : 'Other Company')),
      ...(notice === undefined ? {} : { notice }),
    };
    res.writeHead(status, PAGE_HEADERS);
    res.end(renderPage(model));
  }

  /** The media folder refused the write (owner, read-only, full): a 503 that says so, and one log line for the operator. */
  function storageFault(error: unknown): { status: 503; message: string } | undefined {
    const code = (error as NodeJS.ErrnoException | null)?.code;
    if (code === undefined || !['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EDQUOT'].includes(code)) return undefined;
    log(`demo: a logo could not be stored under ${config.mediaRoot}: ${(error as Error).message} (logo-fallback doctor --media-root ${config.mediaRoot} tells why)`);
    return { status: 503, message: 'The logo could not be stored: the server cannot write to its media folder right now.' };
  }

  function sameOrigin(req: IncomingMessage): boolean {
    // A form posted from another site carries its Origin: refuse it (cross-site request forgery).
    const origin = req.headers.origin;
    if (origin === undefined) return true;
    try {
      return new URL(origin).host === req.headers.host;
    } catch {
      return false;
    }
  }

  async function upload(req: IncomingMessage, res: ServerResponse, url: URL, id: number): Promise<void> {
    const company = store.get(id);
    if (company === undefined) return page(res, 404, url, { kind: 'error', text: `There is no company ${id}.` });
    if (!sameOrigin(req)) return page(res, 403, url, { kind: 'error', text: 'Uploads are accepted from this site only.' });
    let key: string;
    try {
      const { bytes, type } = await readLogoUpload(req, uploadIdleTimeout);
      key = await storeLogo(config.mediaRoot, bytes, type);
    } catch (error) {
      if (error instanceof UploadAborted) {
        log(`demo: upload of a logo for company ${id} aborted: ${error.message}`);
        res.destroy();
        return;
      }
      const refused = error instanceof UploadError ? error : storageFault(error);
      if (refused === undefined) throw error;
      res.setHeader('Connection', 'close'); // the rest of a refused body is not worth reading
      req.resume();
      return page(res, refused.status, url, { kind: 'error', text: `${company.company}: ${refused.message} The previous logo is kept.` });
    }
    let previous: string | null;
    try {
      previous = store.setIcon(id, key);
    } catch (error) {
      await removeLogo(config.mediaRoot, key);
      throw error;
    }
    // Read in the same tick as the update (better-sqlite3 is synchronous): no other upload can
    // point a row at the old file in between.
    const orphaned = previous !== null && previous !== key && !store.isLogo(previous);
    // The resolvers remember "missing" and "present" for a while: forget both keys now, so the very
    // next render shows the new logo.
    for (const logos of allResolvers) {
      if (previous !== null) logos.invalidate(previous);
      logos.invalidate(key);
    }
    // The database points at the new file: the old one is an orphan now (unless another company
    // still uses it). A failure here costs disk space, not the upload.
    if (orphaned && previous !== null) {
      await removeLogo(config.mediaRoot, previous).catch((error: NodeJS.ErrnoException) => log(`demo: the replaced logo ${previous} was not removed: ${error.code ?? error.message}`));
    }
    const params = new URLSearchParams({ company: String(id), uploaded: '1' });
    const avatars = url.searchParams.get('avatars');
    if (avatars !== null && (AVATAR_CHOICES as readonly string[]).includes(avatars)) params.set('avatars', avatars);
    res.writeHead(303, { Location: `/?${params.toString()}` });
    res.end();
  }

  async function health(res: ServerResponse, method: string): Promise<void> {
    const report = await checkHealth(config.mediaRoot, config.dataDir, store.ping);
    res.writeHead(report.status === 'ok' ? 200 : 503, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    res.end(method === 'HEAD' ? undefined : `${JSON.stringify(report)}\n`);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://demo.invalid');
    const method = req.method ?? 'GET';
    const read = method === 'GET' || method === 'HEAD';
    // On the raw target, before URL parsing resolves `%2e%2e` segments out of /media/: the route
    // reads the raw path with the package's key rules (and answers 405 to other methods).
    if ((req.url ?? '').startsWith('/media/')) return media(req, res);
    if (url.pathname.startsWith(AVATAR_ROUTE)) return avatarRoute.handle(req, res);
    const uploadMatch = /^\/companies\/(\d{1,9})\/logo$/.exec(url.pathname);
    if (uploadMatch !== null && method === 'POST') return upload(req, res, url, Number(uploadMatch[1]));
    if (url.pathname === '/' && read) {
      const uploaded = url.searchParams.get('uploaded') === '1' ? store.get(Number(url.searchParams.get('company'))) : undefined;
      return page(res, 200, url, uploaded === undefined ? undefined : { kind: 'ok', text: `The logo of ${uploaded.company} is updated.` });
    }
    if (url.pathname === '/healthz' && read) return health(res, method);
    if (url.pathname === '/static/demo.css' && read) {
      res.writeHead(200, { 'Content-Type': 'text/css; charset=utf-8', 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'public, max-age=3600' });
      res.end(method === 'HEAD' ? undefined : CSS);
      return;
    }
    res.writeHead(uploadMatch !== null || url.pathname === '/' ? 405 : 404, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
    res.end(uploadMatch !== null || url.pathname === '/' ? 'Method not allowed\n' : 'Not found\n');
  }

  return (req, res) => {
    handle(req, res).catch((error: unknown) => {
      console.error('demo: request failed:', error);
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Internal error\n');
    });
  };
}
