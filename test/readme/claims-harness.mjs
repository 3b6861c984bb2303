// Preloaded (node --import) into every README sample the test runs for its claims: records the
// values that claims.ts's rewrite hands to __readmeClaim, and writes them to README_CLAIMS_OUT at
// exit. Servers the sample starts do not listen (their callback is not called): a claim is about a
// value, and the sample must end by itself. Serving is what `<!-- readme: serve /path -->` tests.
import net from 'node:net';
import { writeFileSync } from 'node:fs';
import { inspect } from 'node:util';

net.Server.prototype.listen = function () {
  return this;
};

const recorded = [];
globalThis.__readmeClaim = (id, value) => {
  recorded.push({ id, actual: typeof value === 'string' ? value : inspect(value, { depth: 6, breakLength: Infinity }) });
  return value;
};
process.on('exit', () => {
  if (process.env.README_CLAIMS_OUT) writeFileSync(process.env.README_CLAIMS_OUT, JSON.stringify(recorded));
});
