// Used by the Dockerfile's prod-deps stage: turns the package's package.json into the demo app's
// production manifest, in place. The packages named on the command line move from devDependencies
// to dependencies with the same range; dev and peer dependencies and scripts are dropped. Then
// `npm install --omit=dev` installs exactly the versions package-lock.json pins, and nothing else.
//
//   node runtime-manifest.mjs better-sqlite3 handlebars liquidjs nunjucks
import { readFileSync, writeFileSync } from 'node:fs';

const manifest = JSON.parse(readFileSync('package.json', 'utf8'));
const dependencies = { ...manifest.dependencies };
for (const name of process.argv.slice(2)) {
  const range = manifest.devDependencies?.[name];
  if (typeof range !== 'string') {
    console.error(`runtime-manifest: ${name} is not a devDependency of ${manifest.name}: nothing pins its version`);
    process.exit(1);
  }
  dependencies[name] = range;
}
for (const field of ['devDependencies', 'peerDependencies', 'peerDependenciesMeta', 'scripts']) delete manifest[field];
manifest.dependencies = dependencies;
writeFileSync('package.json', `${JSON.stringify(manifest, null, 2)}\n`);
