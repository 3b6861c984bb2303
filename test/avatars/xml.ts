/**
 * A strict well-formedness check for the XML subset our SVGs use (elements, double- or
 * single-quoted attributes, text, the five named entities and numeric character references),
 * returning a tiny tree with entities decoded. Anything outside the subset is an error, so a
 * pass means well-formed XML 1.0.
 */

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: (XmlElement | string)[];
}

const NAME = /[A-Za-z_:][A-Za-z0-9_:.-]*/y;
const SPACE = /[ \t\r\n]*/y;
const ENTITY = /&(?:(amp|lt|gt|quot|apos)|#([0-9]+)|#x([0-9a-fA-F]+));/y;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
/** XML 1.0 `Char`: no C0 controls but tab/CR/LF, no lone surrogates, no U+FFFE/U+FFFF. */
const NOT_CHAR = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export function parseXml(source: string): XmlElement {
  if (NOT_CHAR.test(source)) throw new Error('a character XML forbids');
  let at = 0;
  const fail = (what: string): never => {
    throw new Error(`${what} at ${at}: ${JSON.stringify(source.slice(at, at + 30))}`);
  };
  const match = (re: RegExp): RegExpExecArray | null => {
    re.lastIndex = at;
    const found = re.exec(source);
    if (found) at = re.lastIndex;
    return found;
  };
  const skipSpace = (): boolean => {
    const before = at;
    match(SPACE);
    return at > before;
  };
  const characters = (stop: string): string => {
    let text = '';
    while (at < source.length && !stop.includes(source[at] as string)) {
      if (source[at] === '&') {
        const entity = match(ENTITY) ?? fail('a bad entity reference');
        const code = entity[2] ? Number(entity[2]) : entity[3] ? Number.parseInt(entity[3], 16) : undefined;
        if (code !== undefined && (code > 0x10ffff || NOT_CHAR.test(String.fromCodePoint(code)))) fail('a reference to a forbidden character');
        text += entity[1] ? NAMED[entity[1]] : String.fromCodePoint(code as number);
      } else if (source[at] === '<') {
        fail('a raw "<"');
      } else {
        text += source[at];
        at++;
      }
    }
    return text;
  };

  const element = (): XmlElement => {
    if (source[at] !== '<') fail('expected "<"');
    at++;
    const name = (match(NAME) ?? fail('expected an element name'))[0];
    const attributes: Record<string, string> = {};
    for (;;) {
      const spaced = skipSpace();
      if (source.startsWith('/>', at)) {
        at += 2;
        return { name, attributes, children: [] };
      }
      if (source[at] === '>') {
        at++;
        break;
      }
      if (!spaced) fail('expected white space before an attribute');
      const attribute = (match(NAME) ?? fail('expected an attribute name'))[0];
      if (attribute in attributes) fail(`a repeated attribute ${attribute}`);
      skipSpace();
      if (source[at] !== '=') fail('expected "="');
      at++;
      skipSpace();
      const quote = source[at];
      if (quote !== '"' && quote !== "'") fail('expected a quote');
      at++;
      attributes[attribute] = characters(quote as string);
      if (source[at] !== quote) fail('an unterminated attribute');
      at++;
    }
    const children: (XmlElement | string)[] = [];
    for (;;) {
      const text = characters('<');
      if (text) children.push(text);
      if (at >= source.length) fail(`an unclosed <${name}>`);
      if (source.startsWith('</', at)) {
        at += 2;
        const closing = (match(NAME) ?? fail('expected a closing name'))[0];
        if (closing !== name) fail(`</${closing}> closes <${name}>`);
        skipSpace();
        if (source[at] !== '>') fail('expected ">"');
        at++;
        return { name, attributes, children };
      }
      children.push(element());
    }
  };

  skipSpace();
  const root = element();
  skipSpace();
  if (at !== source.length) fail('content after the root element');
  return root;
}

/** The text content of an element, all descendants concatenated. */
export function textOf(node: XmlElement | string): string {
  return typeof node === 'string' ? node : node.children.map(textOf).join('');
}

/** The first descendant element with a name. */
export function find(node: XmlElement, name: string): XmlElement | undefined {
  for (const child of node.children) {
    if (typeof child === 'string') continue;
    if (child.name === name) return child;
    const inner = find(child, name);
    if (inner) return inner;
  }
  return undefined;
}

/** The SVG inside a percent-encoded `data:image/svg+xml,` URL. */
export function svgOfDataUrl(url: string): string {
  const prefix = 'data:image/svg+xml,';
  if (!url.startsWith(prefix)) throw new Error(`not an SVG data URL: ${url.slice(0, 40)}`);
  return decodeURIComponent(url.slice(prefix.length));
}
