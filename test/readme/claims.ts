/**
 * Output claims in README samples: a `// → value` comment after a statement says what that
 * statement's value prints as (an expression statement, or a `const x = …` of one variable).
 * Several `// →` lines in a row are one value over several lines; `…` stands for any text; two
 * spaces or more and then `(a note)` at the end of a line is a note, not part of the value; a value
 * in single quotes is a string.
 *
 * `instrument()` rewrites a sample so that each claimed statement hands its value to
 * `globalThis.__readmeClaim(id, value)` (claims-harness.mjs records them, a string as itself and
 * anything else as `util.inspect` prints it), keeping every line where it was; `matches()` compares
 * a recorded value with the claim.
 */
import ts from 'typescript';

export interface Claim {
  readonly id: number;
  /** 0-based line of the claim's first `// →` comment in the sample. */
  readonly line: number;
  readonly expected: string;
}

export interface Instrumented {
  readonly code: string;
  readonly claims: readonly Claim[];
}

const ARROW = /^\/\/\s*→ ?(.*)$/;
const NOTE = /\s{2,}\(.*\)\s*$/;

/** Every statement of every statement list (file, block, case clause), in source order. */
function statementsOf(source: ts.SourceFile): ts.Statement[] {
  const found: ts.Statement[] = [];
  const visit = (node: ts.Node): void => {
    if ('statements' in node && Array.isArray(node.statements)) found.push(...(node.statements as ts.Statement[]));
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found.sort((a, b) => a.getStart(source) - b.getStart(source));
}

/** The `// →` comments of a sample, grouped: consecutive comment-only lines extend the claim above. */
function claimComments(code: string): Array<{ pos: number; line: number; lines: string[] }> {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, ts.LanguageVariant.Standard, code);
  const groups: Array<{ pos: number; line: number; lines: string[]; endLine: number; ownLine: boolean }> = [];
  const lineOf = (pos: number) => code.slice(0, pos).split('\n').length - 1;
  for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) {
    if (kind !== ts.SyntaxKind.SingleLineCommentTrivia) continue;
    const text = scanner.getTokenText().match(ARROW)?.[1];
    if (text === undefined) continue;
    const pos = scanner.getTokenStart();
    const line = lineOf(pos);
    const ownLine = /^\s*$/.test(code.slice(code.lastIndexOf('\n', pos - 1) + 1, pos));
    const last = groups.at(-1);
    if (last !== undefined && ownLine && last.endLine === line - 1) {
      last.lines.push(text);
      last.endLine = line;
    } else {
      groups.push({ pos, line, lines: [text], endLine: line, ownLine });
    }
  }
  return groups;
}

function expectedValue(lines: readonly string[]): string {
  const value = lines.map((line) => line.replace(NOTE, '').trimEnd()).join('\n');
  return /^'.*'$/s.test(value) ? value.slice(1, -1) : value;
}

/**
 * Rewrites `code` so that each claimed value is recorded. Throws when a claim follows no statement
 * with a value (it could never be checked).
 * @param fileName - `.mts` or `.mjs`, for the parser.
 */
export function instrument(code: string, fileName: string): Instrumented {
  const source = ts.createSourceFile(fileName, code, ts.ScriptTarget.Latest, true);
  const statements = statementsOf(source);
  const edits: Array<{ start: number; end: number; text: string }> = [];
  const claims: Claim[] = [];
  for (const comment of claimComments(code)) {
    const id = claims.length;
    const before = statements.filter((statement) => statement.getStart(source) < comment.pos).at(-1);
    const where = `the claim on sample line ${comment.line + 1}`;
    if (before === undefined || before.end > comment.pos) throw new Error(`${where} follows no statement`);
    if (ts.isExpressionStatement(before)) {
      const expression = before.expression;
      edits.push({ start: expression.getStart(source), end: expression.end, text: `globalThis.__readmeClaim(${id}, (${expression.getText(source)}))` });
    } else if (ts.isVariableStatement(before) && before.declarationList.declarations.length === 1 && ts.isIdentifier(before.declarationList.declarations[0]!.name)) {
      edits.push({ start: before.end, end: before.end, text: ` globalThis.__readmeClaim(${id}, ${before.declarationList.declarations[0]!.name.text});` });
    } else {
      throw new Error(`${where} follows a statement that has no value (${ts.SyntaxKind[before.kind]})`);
    }
    claims.push({ id, line: comment.line, expected: expectedValue(comment.lines) });
  }
  let rewritten = code;
  for (const edit of edits.sort((a, b) => b.start - a.start)) rewritten = rewritten.slice(0, edit.start) + edit.text + rewritten.slice(edit.end);
  return { code: rewritten, claims };
}

/** Whether `actual` is what `expected` claims, `…` standing for any text (also none, also lines). */
export function matches(expected: string, actual: string): boolean {
  const pattern = expected
    .split('…')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('[\\s\\S]*?');
  return new RegExp(`^${pattern}$`).test(actual);
}
