// Builds the web console (src/console/web/) into dist/console/: one minified script bundled by
// esbuild (ECharts tree-shaken, world geometry from world-atlas inlined: nothing is fetched at
// run time), the stylesheet and the page. The server serves the folder at /console/.
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src/console/web');
const out = join(root, 'dist/console');

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const result = await build({
  entryPoints: [join(src, 'main.ts')],
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2022'],
  outfile: join(out, 'app.js'),
  legalComments: 'linked',
  metafile: true,
  logLevel: 'warning',
});
for (const file of ['index.html', 'style.css']) copyFileSync(join(src, file), join(out, file));
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
console.log(`console built into dist/console/ (${Math.round(bytes / 1024)} KB of script)`);
