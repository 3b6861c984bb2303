/**
 * Express view integration of EJS, Pug and Eta with `app.locals = logoFallbackLocals(logos)`, as
 * the README shows it: a real Express app on 127.0.0.1, pages fetched over HTTP, each printing the
 * same sidebar as Nunjucks does, byte for byte. EJS with `async: true` over remote storage waits.
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ejs from 'ejs';
import { Eta } from 'eta';
import express from 'express';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { logoFallbackLocals } from '../adapters/locals.js';
import { CompanyModel, companies, companyMap } from '../fixtures/companies.js';
import { sidebarRenderers } from '../fixtures/render.js';
import { createLogoResolver, fsStorage, httpStorage } from '../src/index.js';
import { fileServer } from './storage/servers.js';

const templates = fileURLToPath(new URL('../fixtures/templates/', import.meta.url));
const mediaRoot = fileURLToPath(new URL('../fixtures/media/', import.meta.url));

/** A views folder: the three sidebar partials and a page per engine that includes its sidebar after a doctype. */
function viewsFolder(): { views: string; cleanup: () => void } {
  const views = mkdtempSync(path.join(tmpdir(), 'logo-fallback-views-'));
  for (const extension of ['ejs', 'pug', 'eta']) copyFileSync(path.join(templates, `sidebar.${extension}`), path.join(views, `sidebar.${extension}`));
  writeFileSync(path.join(views, 'page.ejs'), "<!DOCTYPE html>\n<%- include('sidebar') %>");
  writeFileSync(path.join(views, 'page.pug'), 'doctype html\n= "\\n"\ninclude sidebar.pug\n');
  writeFileSync(path.join(views, 'page.eta'), "<!DOCTYPE html>\n<%~ include('./sidebar', it) %>");
  writeFileSync(path.join(views, 'async.ejs'), '<img src="<%= await get_company_logo(locals.company) %>">');
  return { views, cleanup: () => rmSync(views, { recursive: true, force: true }) };
}

/** Starts `app` on 127.0.0.1 (a free port); returns its origin and how to stop it. */
async function listen(app: express.Express): Promise<{ origin: string; close: () => Promise<void> }> {
  const server: Server = await new Promise((resolve) => {
    const started = app.listen(0, '127.0.0.1', () => resolve(started));
  });
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

test('EJS, Pug and Eta views in Express print the Nunjucks sidebar byte for byte', async () => {
  const logos = createLogoResolver({ storage: fsStorage({ root: mediaRoot, baseUrl: '/media/' }), onError: () => {} });
  const { views, cleanup } = viewsFolder();
  const app = express();
  app.set('views', views);
  Object.assign(app.locals, logoFallbackLocals(logos));
  // Eta has no Express engine of its own: render the file with an Eta instance reading the same folder.
  const eta = new Eta({ views });
  app.engine('eta', (file: string, data: object, done: (error: Error | null, html?: string) => void) => {
    try {
      done(null, eta.render(path.relative(views, file), data));
    } catch (error) {
      done(error as Error);
    }
  });
  const forms = companies.flatMap((row) => [row, new CompanyModel(row), companyMap(row)]);
  app.get('/:engine/:index', (request, response) => {
    response.render(`page.${request.params.engine}`, { company: forms[Number(request.params.index)], label: 'Other <Company>' });
  });
  const server = await listen(app);
  try {
    const expected = sidebarRenderers(logos).nunjucks;
    for (const [index, company] of forms.entries()) {
      for (const engine of ['ejs', 'pug', 'eta']) {
        const response = await fetch(`${server.origin}/${engine}/${index}`);
        assert.is(response.status, 200, `${engine} ${index}`);
        assert.fixture(await response.text(), `<!DOCTYPE html>\n${expected({ company, label: 'Other <Company>' })}`, `${engine}, ${company.constructor.name} ${index}`);
      }
    }
  } finally {
    await server.close();
    cleanup();
  }
});

test('EJS with async: true in Express: the first request over remote storage already has the logo', async () => {
  const media = await fileServer(new Map([['base/company/icon/acme.png', Buffer.from('png')]]));
  const { views, cleanup } = viewsFolder();
  const app = express();
  app.set('views', views);
  const logos = createLogoResolver({ storage: httpStorage({ baseUrl: `${media.origin}/media/` }), timeout: 2000, onError: () => {} });
  Object.assign(app.locals, logoFallbackLocals(logos, { async: true }));
  // EJS 7 takes no options from the data: an engine function passes async: true.
  app.engine('ejs', (file: string, data: object, done: (error: Error | null, html?: string) => void) => {
    ejs.renderFile(file, data, { async: true }).then((html) => done(null, html), done);
  });
  app.get('/', (_request, response) => response.render('async.ejs', { company: companies[0] }));
  const server = await listen(app);
  try {
    assert.is(await (await fetch(`${server.origin}/`)).text(), `<img src="${media.origin}/media/base/company/icon/acme.png">`);
    assert.equal(media.requests, ['HEAD /media/base/company/icon/acme.png']);
  } finally {
    await server.close();
    await media.close();
    cleanup();
  }
});

test.run();
