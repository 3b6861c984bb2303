import { readFileSync } from 'node:fs';
import * as assert from 'uvu/assert';

function codeSpan(cell: string): string {
  const inner = /^`(.*)`$/.exec(cell)?.[1];
  if (inner === undefined) throw new Error(`not a code span: ${cell}`);
  return inner;
}

/** The rows of the README's initials table: `| name | options | initials | rule |`. */
export function readmeRows(): { name: string; options: Record<string, unknown>; expected: string }[] {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf('| name | options | initials | rule |');
  assert.ok(start > 0, 'the README holds the initials table');
  const rows = [];
  for (const line of readme.slice(start).split('\n').slice(2)) {
    if (!line.startsWith('|')) break;
    const [nameCell, optionsCell, initialsCell] = line.slice(1, -1).split('|').map((cell) => cell.trim()) as [string, string, string];
    const name = nameCell === '*(empty)*' ? '' : codeSpan(nameCell);
    const options: Record<string, unknown> = {};
    for (const [, key, value] of optionsCell.matchAll(/`(\w+): ([^`]+)`/g)) options[key as string] = value === 'false' ? false : value === 'true' ? true : Number(value);
    const expected = initialsCell === '*(none)*' ? '' : codeSpan(initialsCell);
    rows.push({ name, options, expected });
  }
  return rows;
}

