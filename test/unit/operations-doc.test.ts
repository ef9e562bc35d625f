/** docs/operations.md lists every setting: each ACCORD_* variable the configuration reads has its row. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

describe('docs/operations.md and src/config/config.ts', () => {
  it('every ACCORD_* environment variable the configuration reads is documented', () => {
    const config = readFileSync(join(ROOT, 'src/config/config.ts'), 'utf8');
    const doc = readFileSync(join(ROOT, 'docs/operations.md'), 'utf8');
    const variables = [...config.matchAll(/(ACCORD_[A-Z_]+): \{ path:/g)].map((m) => m[1] as string);
    expect(variables.length).toBeGreaterThan(10);
    expect(variables.filter((v) => !doc.includes(`\`${v}\``))).toEqual([]);
  });
});
