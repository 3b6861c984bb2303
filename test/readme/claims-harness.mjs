// Preloaded (node --import) into every README sample the test runs: records the values that
// claims.ts's rewrite hands to __readmeClaim, and writes them to README_CLAIMS_OUT at exit.
import { writeFileSync } from 'node:fs';
import { inspect } from 'node:util';

const recorded = [];
globalThis.__readmeClaim = (id, value) => {
  recorded.push({ id, actual: typeof value === 'string' ? value : inspect(value, { depth: 6, breakLength: Infinity }) });
  return value;
};
process.on('exit', () => {
  if (process.env.README_CLAIMS_OUT) writeFileSync(process.env.README_CLAIMS_OUT, JSON.stringify(recorded));
});
