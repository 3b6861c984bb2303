/**
 * What the README test reads from a Markdown file, parsed with markdown-it (fences inside list
 * items, HTML comments) and slugged as GitHub does (github-slugger):
 * - code blocks with the marker comment right before them (`<!-- readme: … -->`);
 * - headings with their anchors, and the `#anchor` links.
 *
 * The conventions the markers follow are in the README's "Contributing" section.
 */
import GithubSlugger from 'github-slugger';
import MarkdownIt from 'markdown-it';

/** A fenced code block. */
export interface CodeBlock {
  /** The first word of the info string: `js`, `ts`, `console`, `html`, `` (none). */
  readonly lang: string;
  readonly code: string;
  /** 1-based line of the block's first code line in the Markdown file. */
  readonly line: number;
  /** The `readme:` marker right before the block (`skip …`, `run`, `output`), if any. */
  readonly marker?: string;
}

export interface Heading {
  readonly level: number;
  readonly text: string;
  /** GitHub's anchor for it (`#inputs--outputs`), duplicates numbered as GitHub does. */
  readonly anchor: string;
  readonly line: number;
}

export interface MarkdownParts {
  readonly blocks: readonly CodeBlock[];
  readonly headings: readonly Heading[];
  /** Every `#anchor` link, with its line. */
  readonly anchorLinks: ReadonlyArray<{ readonly href: string; readonly line: number }>;
  /** Every marker comment that is not right before a code block: a typo, or a block moved away. */
  readonly strayMarkers: ReadonlyArray<{ readonly marker: string; readonly line: number }>;
}

const MARKER = /^<!--\s*readme:\s*(.*?)\s*-->\s*$/;

/** Splits a Markdown text into the parts the README test checks. */
export function readMarkdown(text: string): MarkdownParts {
  const tokens = new MarkdownIt({ html: true }).parse(text, {});
  const slugger = new GithubSlugger();
  const blocks: CodeBlock[] = [];
  const headings: Heading[] = [];
  const anchorLinks: Array<{ href: string; line: number }> = [];
  const strayMarkers: Array<{ marker: string; line: number }> = [];
  let pending: { marker: string; line: number } | undefined;
  let lastLine = 0;

  const flushMarker = () => {
    if (pending !== undefined) strayMarkers.push(pending);
    pending = undefined;
  };

  for (const [index, token] of tokens.entries()) {
    const line = (token.map?.[0] ?? lastLine - 1) + 1;
    if (token.map) lastLine = line;
    if (token.type === 'html_block') {
      const marker = MARKER.exec(token.content.trim())?.[1];
      if (marker !== undefined) {
        flushMarker();
        pending = { marker, line };
      }
      continue;
    }
    if (token.type === 'fence') {
      const block: CodeBlock = { lang: token.info.trim().split(/\s+/)[0] ?? '', code: token.content, line: line + 1 };
      blocks.push(pending === undefined ? block : { ...block, marker: pending.marker });
      pending = undefined;
      continue;
    }
    if (token.type === 'heading_open') {
      const inline = tokens[index + 1];
      const text = (inline?.children ?? []).map((child) => child.content).join('');
      headings.push({ level: Number(token.tag.slice(1)), text, anchor: `#${slugger.slug(text)}`, line });
    }
    if (token.type === 'inline') {
      for (const child of token.children ?? []) {
        const href = child.type === 'link_open' ? child.attrGet('href') : null;
        if (href?.startsWith('#')) anchorLinks.push({ href, line });
      }
    }
    // A marker belongs to the block right after it: anything but closing tags in between strands it.
    if (token.nesting !== -1) flushMarker();
  }
  flushMarker();
  return { blocks, headings, anchorLinks, strayMarkers };
}
