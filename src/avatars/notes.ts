/**
 * Notes in brackets — "Hanne Carlsen (HC)", "Globex Corporation (Europe)", "Acme [inactive]",
 * "トヨタ（株）" — are not part of a name: their text does not give initials.
 */

/**
 * Bracket pairs that enclose a note: parentheses, square and curly brackets, their full-width and
 * small forms, and the CJK brackets used the same way (lenticular, tortoise shell, white). Pairs
 * as Unicode's BidiBrackets.txt lists them. Quotation marks (「」, 《》, « ») are not notes: a
 * quoted word is part of the name.
 */
const PAIRS = '()[]{}（）［］｛｝﹙﹚﹛﹜﹝﹞【】〔〕〖〗〘〙〚〛｟｠⦅⦆';
const OPENERS = new Set([...PAIRS].filter((_, i) => i % 2 === 0));
const CLOSERS = new Set([...PAIRS].filter((_, i) => i % 2 === 1));
const ANY_BRACKET = /[()[\]{}（）［］｛｝﹙﹚﹛﹜﹝﹞【】〔〕〖〗〘〙〚〛｟｠⦅⦆]/u;

/**
 * The name without its bracketed notes. Brackets nest, any closing bracket closes the innermost
 * open one (people mix them: "Acme (Europe]"), an opening bracket never closed runs to the end of
 * the name, and a closing bracket with none open is only punctuation. Each bracket leaves a space,
 * so "Acme(Europe)Corp" is two words. Linear in the name's length (names are cut before this).
 */
export function withoutBracketNotes(name: string): string {
  if (!ANY_BRACKET.test(name)) return name;
  let out = '';
  let depth = 0;
  for (const char of name) {
    if (OPENERS.has(char)) {
      if (depth === 0) out += ' ';
      depth++;
    } else if (CLOSERS.has(char)) {
      if (depth > 0) depth--;
      else out += ' ';
    } else if (depth === 0) {
      out += char;
    }
  }
  return out;
}

/** The name with every bracket read as a space: for a name that is nothing but a note ("(HC)"). */
export function withBracketsAsSpaces(name: string): string {
  if (!ANY_BRACKET.test(name)) return name;
  let out = '';
  for (const char of name) out += OPENERS.has(char) || CLOSERS.has(char) ? ' ' : char;
  return out;
}
