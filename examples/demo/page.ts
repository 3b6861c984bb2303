/**
 * The demo's one page: the app's own sidebar (rendered with ENGINE), and every company rendered
 * by the six engines side by side, what an e-mail would show for it (the PNG column), and an
 * upload form each. Everything from the database is escaped here with the package's own
 * `escapeHtml`; the sidebars come escaped from the engines.
 */
import { escapeHtml as e } from '../../src/index.js';
import { SIDEBAR_ENGINES, type SidebarEngine } from '../../fixtures/render.js';
import type { AvatarChoice } from './config.js';
import type { Company } from './db.js';

/** How a company's logo reference stands, as the page explains it. */
export type LogoCase = 'logo present' | 'file missing' | 'no icon' | 'unsafe reference' | 'external URL';

/** One company, rendered. */
export interface CompanyView {
  company: Company;
  case: LogoCase;
  hostileName: boolean;
  sidebars: Record<SidebarEngine, string>;
  /** What an e-mail would show: the logo's URL, else the avatar route's URL (`.png`, or `.svg` when PNG is off). */
  email: string;
}

/** Everything the page shows. */
export interface PageModel {
  engine: SidebarEngine;
  avatars: AvatarChoice;
  /** The e-mail column's format, and why it is not PNG when it is not. */
  email: { format: 'png' | 'svg'; pngUnavailable?: string };
  selected: CompanyView | undefined;
  companies: CompanyView[];
  notice?: { kind: 'ok' | 'error'; text: string };
}

const ENGINE_LABELS: Record<SidebarEngine, string> = { nunjucks: 'Nunjucks', handlebars: 'Handlebars', liquid: 'LiquidJS', ejs: 'EJS', pug: 'Pug', eta: 'Eta' };
const CASE_CLASS: Record<LogoCase, string> = {
  'logo present': 'present',
  'file missing': 'missing',
  'no icon': 'none',
  'unsafe reference': 'unsafe',
  'external URL': 'external',
};

function link(params: Record<string, string | number>): string {
  return e(`/?${new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)])).toString()}`);
}

function row(view: CompanyView, avatars: AvatarChoice): string {
  const { company } = view;
  const identical = SIDEBAR_ENGINES.every((engine) => view.sidebars[engine] === view.sidebars.nunjucks);
  return `<tr data-company-id="${company.id}">
  <th scope="row"><span class="company__name">${e(company.company)}</span><code class="company__icon">${company.icon === null ? 'icon: null' : e(company.icon)}</code>
  <form class="upload" method="post" action="/companies/${company.id}/logo?avatars=${avatars}" enctype="multipart/form-data">
    <label>New logo <input type="file" name="logo" accept="image/png,image/jpeg,image/webp" required></label>
    <button type="submit">Upload</button>
  </form></th>
  <td><span class="case case--${CASE_CLASS[view.case]}">${view.case}</span>${view.hostileName ? '<span class="case case--hostile">hostile name</span>' : ''}
    <span class="identical" title="the ${SIDEBAR_ENGINES.length} engines printed the same bytes">${identical ? 'identical HTML ✓' : 'engines differ ✗'}</span></td>
${SIDEBAR_ENGINES.map((engine) => `  <td class="engine" data-engine="${engine}">${view.sidebars[engine]}</td>`).join('\n')}
  <td class="email"><img class="email__logo" src="${e(view.email)}" alt="${e(company.company)}" width="34" height="34"><code class="email__url">${e(view.email)}</code></td>
</tr>`;
}

function emailHeading(format: 'png' | 'svg'): string {
  return format === 'png' ? 'E-mail (PNG)' : 'E-mail (SVG: PNG is off)';
}

/** Says so when the e-mail column cannot show PNG, and why (the package's own message names what to install). */
function emailNote({ format, pngUnavailable }: PageModel['email']): string {
  if (format === 'png') return '';
  return `<p class="notice notice--warn" role="note">The e-mail column shows SVG avatars: PNG avatars are off on this server.
  ${e(pngUnavailable ?? '')}</p>`;
}

/** The whole page. */
export function renderPage(model: PageModel): string {
  const { engine, avatars, selected } = model;
  const other: AvatarChoice = avatars === 'local' ? 'ui-avatars' : 'local';
  const selectedId = selected?.company.id ?? 0;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>logo-fallback demo</title>
<link rel="stylesheet" href="/static/demo.css">
<link rel="icon" href="data:,">
</head>
<body>
<aside class="app-sidebar" aria-label="App sidebar">
  ${selected === undefined ? '<p>No companies yet.</p>' : selected.sidebars[engine]}
  <p class="app-sidebar__engine">Rendered with <strong>${ENGINE_LABELS[engine]}</strong> (<code>ENGINE=${engine}</code>)</p>
  <nav aria-label="Companies"><ul>
${model.companies.map((view) => `    <li><a href="${link({ company: view.company.id, avatars })}"${view.company.id === selectedId ? ' aria-current="page"' : ''}>${e(view.company.company)}</a></li>`).join('\n')}
  </ul></nav>
</aside>
<main>
  <h1>logo-fallback</h1>
  <p class="lead">Each company's logo, printed by <code>get_company_logo</code> in six template engines: Nunjucks, Handlebars and
  LiquidJS as filters, EJS, Pug and Eta as helpers from <code>logoFallbackLocals()</code>. When the file exists in storage it prints
  its URL; when it is missing, unsafe or not set, an avatar — never a broken image. The last column is what an e-mail would get:
  the same logo, else the avatar as a PNG from the avatar route (e-mail clients show neither SVG nor <code>data:</code> images).</p>
  ${model.notice === undefined ? '' : `<p class="notice notice--${model.notice.kind}" role="${model.notice.kind === 'error' ? 'alert' : 'status'}">${e(model.notice.text)}</p>`}
  <p class="avatars">Avatars: <strong>${avatars === 'local' ? 'local (drawn by the package, nothing leaves the server)' : 'ui-avatars.com (sends the initials to a third party)'}</strong>
  · <a href="${link({ company: selectedId, avatars: other })}">switch to ${other}</a></p>
  ${emailNote(model.email)}
  <div class="table-scroll"><table class="companies">
    <thead><tr><th scope="col">Company, stored reference, new logo (PNG, JPEG or WebP, at most 5 MB)</th><th scope="col">Case</th>${SIDEBAR_ENGINES.map((name) => `<th scope="col">${ENGINE_LABELS[name]}</th>`).join('')}<th scope="col">${emailHeading(model.email.format)}</th></tr></thead>
    <tbody>
${model.companies.map((view) => row(view, avatars)).join('\n')}
    </tbody>
  </table></div>
  <p class="footnote">Media is served from the storage root by the app (<code>/media/…</code>), only for files that are a company's logo.
  <a href="/healthz">/healthz</a></p>
</main>
</body>
</html>
`;
}
