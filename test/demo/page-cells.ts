/** Reads the demo page's table the way a visitor sees it: per company row, each engine's cell and the e-mail column. */

/** One company row of the side-by-side table. */
export interface Row {
  id: number;
  /** Each engine's cell, as the page printed it, in page order. */
  engines: Array<[engine: string, html: string]>;
  /** The e-mail column's `<img src>` (HTML-unescaped: the URL a client requests). */
  email: string | undefined;
}

const unescapeAttribute = (value: string): string => value.replaceAll('&amp;', '&').replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>');

/** Every company row of the page, in order. */
export function rows(html: string): Row[] {
  return [...html.matchAll(/<tr data-company-id="(\d+)">([\s\S]*?)\n<\/tr>/g)].map((match) => {
    const body = match[2] as string;
    const engines = [...body.matchAll(/<td class="engine" data-engine="([a-z]+)">([\s\S]*?)<\/td>/g)].map((cell): [string, string] => [cell[1] as string, cell[2] as string]);
    const email = /<td class="email"><img class="email__logo" src="([^"]*)"/.exec(body)?.[1];
    return { id: Number(match[1]), engines, email: email === undefined ? undefined : unescapeAttribute(email) };
  });
}

/** The app's own sidebar (rendered with ENGINE), as printed. */
export function appSidebar(html: string): string | undefined {
  return /<aside class="app-sidebar" aria-label="App sidebar">\n {2}([\s\S]*?)\n {2}<p class="app-sidebar__engine">/.exec(html)?.[1];
}
