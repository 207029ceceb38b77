import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// The shape rules of issue #9 that dependency-cruiser cannot see: how big a file or a function
// may grow, and relative paths written as strings that reach into another package.

const ROOT = join(import.meta.dirname, '..', '..');
const MAX_FILE_LINES = 300;
const MAX_FUNCTION_LINES = 80;

/** Declarative tables: long by nature, one entry a line, no logic to get lost in. */
const TABLES = new Set<string>([]);

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sourceFiles(p, out);
    else if (/\.(ts|tsx|mjs)$/.test(name) && !/\.test\.tsx?$|\.d\.ts$/.test(name)) out.push(p);
  }
  return out;
}

const files = ['apps', 'packages', 'scripts']
  .flatMap((d) => sourceFiles(join(ROOT, d)))
  .map((p) => ({ path: relative(ROOT, p), text: readFileSync(p, 'utf8') }));

function longFunctions(path: string, text: string): string[] {
  const sf = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = end - start + 1;
      // A factory's returned object of handlers is measured by its parts, not as one function.
      const name = (node as ts.FunctionLikeDeclaration).name?.getText(sf) ?? '(anonymous)';
      if (lines > MAX_FUNCTION_LINES && !containsFunctions(node)) found.push(`${path}:${start + 1} ${name} (${lines} lines)`);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/** True when most of a function's lines belong to functions inside it (a factory or a router). */
function containsFunctions(node: ts.Node): boolean {
  let inner = 0;
  const walk = (n: ts.Node): void => {
    if (n !== node && ts.isFunctionLike(n)) {
      inner += n.getEnd() - n.getStart();
      return;
    }
    ts.forEachChild(n, walk);
  };
  ts.forEachChild(node, walk);
  return inner > (node.getEnd() - node.getStart()) * 0.6;
}

describe('code shape', () => {
  it(`has no source file over ${MAX_FILE_LINES} lines`, () => {
    const long = files
      .filter((f) => !TABLES.has(f.path))
      .map((f) => ({ path: f.path, lines: f.text.split('\n').length }))
      .filter((f) => f.lines > MAX_FILE_LINES)
      .map((f) => `${f.path} (${f.lines} lines)`);
    expect(long).toEqual([]);
  });

  it(`has no function over ${MAX_FUNCTION_LINES} lines`, () => {
    expect(files.flatMap((f) => longFunctions(f.path, f.text))).toEqual([]);
  });

  it("reaches no other package's files through a relative path written as a string", () => {
    const escapes = files.flatMap((f) =>
      [...f.text.matchAll(/['"`][^'"`\n]*\.\.\/(?:\.\.\/)*(?:packages|apps)\/[^'"`\n]*['"`]/g)]
        .filter((m) => !/^\s*import\b|from\s*$/.test(f.text.slice(f.text.lastIndexOf('\n', m.index) + 1, m.index)))
        .map((m) => `${f.path}: ${m[0]}`),
    );
    expect(escapes).toEqual([]);
  });
});
