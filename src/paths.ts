import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The folder holding package.json. Code runs from src/ (tests) and from dist/src/ (built),
 * so data folders (schemas/, collections/) are found from here, not relative to a file.
 */
export function packageRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the Accord package root');
    dir = parent;
  }
  return dir;
}
