import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fromPackageRoot } from '../../src/util/package-root';

/**
 * The frame's two structural rules, checked on the source text (no dependency): only the composition root imports
 * a provider's folder (`src/sources/<x>/`, `src/sinks/<x>/`), and no module imports itself back through others.
 * `src/sandbox/`, `src/bench/` and `src/eval/` are edges with their own entry points and may use the adapters.
 */
const SRC = fromPackageRoot('src');
const COMPOSITION_ROOT = 'daemon/compose.ts';
const EDGES = ['sandbox/', 'bench/', 'eval/'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Relative imports of a file (static `import`/`export … from` and dynamic `import()`), as paths under src/. */
function importsOf(file: string, text: string): string[] {
  const specifiers = [...text.matchAll(/(?:import|export)\s[^'";]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)]
    .map((match) => match[1] ?? match[2])
    .filter((specifier) => specifier.startsWith('.'));
  return specifiers.map((specifier) => {
    const base = resolve(dirname(file), specifier);
    const candidates = [`${base}.ts`, join(base, 'index.ts')];
    const found = candidates.find((candidate) => files.has(candidate));
    return relative(SRC, found ?? `${base}.ts`).split('\\').join('/');
  });
}

const files = new Set(sourceFiles(SRC));
const graph = new Map<string, string[]>(
  [...files].map((file) => [relative(SRC, file).split('\\').join('/'), importsOf(file, readFileSync(file, 'utf8'))]),
);

/** An adapter folder: `sources/<x>/…` or `sinks/<x>/…` (the ports sit directly in `sources/` and `sinks/`). */
const isAdapter = (path: string): boolean => /^(sources|sinks)\/[^/]+\//.test(path);

/** Every cycle in the import graph, each as the path of modules around it (Tarjan's strongly connected components). */
function cyclesIn(edges: ReadonlyMap<string, readonly string[]>): string[][] {
  let index = 0;
  const indexes = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (node: string): void => {
    indexes.set(node, index);
    low.set(node, index);
    index += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node) ?? []) {
      if (!edges.has(next)) continue;
      if (!indexes.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) as number, low.get(next) as number));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node) as number, indexes.get(next) as number));
    }
    if (low.get(node) === indexes.get(node)) {
      const component: string[] = [];
      for (let member = stack.pop(); member !== undefined; member = stack.pop()) {
        onStack.delete(member);
        component.push(member);
        if (member === node) break;
      }
      if (component.length > 1 || (edges.get(node) ?? []).includes(node)) components.push(component);
    }
  };
  for (const node of edges.keys()) if (!indexes.has(node)) visit(node);
  return components;
}

describe('import boundaries', () => {
  it('finds the imports it checks (the parser sees static, re-exported and dynamic imports)', () => {
    expect(graph.get(COMPOSITION_ROOT)).toEqual(expect.arrayContaining(['sources/shopify/order-source.ts', 'sinks/klaviyo/destination.ts']));
    expect(cyclesIn(new Map([['a.ts', ['b.ts']], ['b.ts', ['c.ts']], ['c.ts', ['a.ts']], ['d.ts', ['a.ts']]]))).toEqual([['c.ts', 'b.ts', 'a.ts']]);
  });

  it('lets only the composition root (and the edges with their own mains) import a provider adapter', () => {
    const offenders = [...graph].flatMap(([file, imports]) => {
      if (file === COMPOSITION_ROOT || isAdapter(file) || EDGES.some((edge) => file.startsWith(edge))) return [];
      return imports.filter(isAdapter).map((target) => `${file} → ${target}`);
    });
    expect(offenders).toEqual([]);
  });

  it('has no import cycles in src/', () => {
    expect(cyclesIn(graph)).toEqual([]);
  });
});
