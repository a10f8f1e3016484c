import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';

/**
 * What each top-level place of the tree may import, besides npm packages and itself. A Lambda
 * folder (`lambdas/<fn>`) may import its own folder and `lambdas/shared` only: what two Lambdas
 * share lives there, never in a sibling's folder. docs/architecture.md draws the same rules.
 */
export const IMPORT_RULES: Readonly<Record<string, readonly string[]>> = {
  'lambdas/shared': [],
  'lambdas/*': ['lambdas/shared'],
  lib: ['lambdas'],
  report: [],
  planner: ['report', 'lambdas/shared'],
  sim: ['planner', 'report', 'lambdas', 'lib'],
  cli: ['sim', 'planner', 'report', 'lambdas', 'lib'],
  demo: ['cli', 'sim', 'planner', 'report', 'lambdas', 'lib'],
  bench: ['test/support', 'sim', 'planner', 'report', 'lambdas', 'lib'],
  bin: ['lib'],
  tools: ['lib', 'lambdas'],
};

/** One import that breaks {@link IMPORT_RULES}. */
export interface ImportViolation {
  readonly file: string;
  readonly imports: string;
}

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g;

/** The place a path belongs to: `lambdas/<fn>` for a Lambda's folder, else its top folder. */
function placeOf(path: string): string {
  const [top, second] = path.split('/');
  return top === 'lambdas' && second !== undefined ? `lambdas/${second}` : (top ?? path);
}

function allowed(from: string, to: string, target: string): boolean {
  if (to === from) return true;
  const rule = IMPORT_RULES[from] ?? (from.startsWith('lambdas/') ? IMPORT_RULES['lambdas/*'] : undefined);
  if (rule === undefined) return true;
  return rule.some((place) => target === place || target.startsWith(`${place}/`));
}

function* sourceFiles(root: string, dir: string): Generator<string> {
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = dir === '' ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory()) yield* sourceFiles(root, path);
    else if (path.endsWith('.ts')) yield path;
  }
}

/** Every import under `root`'s ruled places that {@link IMPORT_RULES} forbids. */
export function importViolations(root: string): ImportViolation[] {
  const violations: ImportViolation[] = [];
  const places = [...new Set(Object.keys(IMPORT_RULES).map((place) => place.split('/')[0] ?? place))];
  for (const top of places) {
    let files: string[];
    try {
      files = [...sourceFiles(root, top)];
    } catch {
      continue; // a tree without this place
    }
    for (const file of files) {
      for (const [, specifier] of readFileSync(join(root, file), 'utf8').matchAll(SPECIFIER)) {
        const target = relative(root, normalize(join(root, dirname(file), specifier ?? '')))
          .split(sep)
          .join('/');
        if (!allowed(placeOf(file), placeOf(target), target)) violations.push({ file, imports: target });
      }
    }
  }
  return violations;
}
