/**
 * The layout is the architecture: each folder of src/ is a layer, and imports point one way only, down the
 * layers. A new import that points up (a construct that reads the config, the config that runs the pipeline)
 * fails here, with the file and the import named.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { tempDir } from './support/temp';

const ROOT = path.resolve(__dirname, '..');

/** The layers, lowest first. A module may import its own layer and the layers below it. */
const LAYERS = ['core', 'constructs', 'output', 'validation', 'config', 'pipeline', 'cli'] as const;

/** index.ts, the public API, stands above every layer. */
const TOP = 'index.ts';

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'generated' ? [] : sourceFiles(full);
    return e.name.endsWith('.ts') ? [full] : [];
  });
}

/** The relative modules a file imports: static imports and exports, `import()` types, and `require()`. */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const found = new Set<string>();
  for (const m of text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*|^import\s+)'([^']+)'/gm)) found.add(m[1]!);
  return [...found].filter((s) => s.startsWith('.'));
}

function resolveModule(from: string, spec: string): string {
  const base = path.resolve(path.dirname(from), spec);
  for (const candidate of [base, `${base}.ts`, `${base}.js`, path.join(base, 'index.ts')]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  throw new Error(`${path.relative(ROOT, from)} imports ${spec}, which does not exist`);
}

/** The layer of a file: its first folder under src/ (index.ts is above all), or the top-level folder outside src/. */
function layerOf(file: string): string {
  const rel = path.relative(ROOT, file).split(path.sep);
  if (rel[0] !== 'src') return rel[0]!;
  return rel.length === 2 ? TOP : rel[1]!;
}

const rank = (layer: string): number => (layer === TOP ? LAYERS.length : LAYERS.indexOf(layer as (typeof LAYERS)[number]));

interface Edge {
  readonly file: string;
  readonly spec: string;
  readonly target: string;
}

/** The imports that break the layering, as `file (layer) imports spec (layer)`. */
function wrongImports(list: readonly Edge[]): string[] {
  return list
    .filter(({ file, target }) => {
      const to = layerOf(target);
      if (to === 'imports') return rank(layerOf(file)) < rank('constructs'); // the generated KServe/k8s classes serve constructs and above
      if (to !== TOP && rank(to) < 0) return true; // tools/, test/, bench/ are never imported by the product
      return rank(to) > rank(layerOf(file));
    })
    .map(({ file, spec, target }) => `${path.relative(ROOT, file)} (${layerOf(file)}) imports ${spec} (${layerOf(target)})`);
}

const files = sourceFiles(path.join(ROOT, 'src'));
const edges: Edge[] = files.flatMap((file) => importsOf(file).map((spec) => ({ file, spec, target: resolveModule(file, spec) })));

describe('the architecture: src/ in layers, imports pointing down', () => {
  test('GIVEN src/ THEN every file sits in a layer folder (only index.ts at the top)', () => {
    const misplaced = files.map((f) => path.relative(ROOT, f)).filter((f) => rank(layerOf(path.join(ROOT, f))) < 0);
    expect(misplaced).toStrictEqual([]);
  });

  test('GIVEN every import in src/ THEN none points up a layer, and none leaves src/ but for imports/ (generated classes)', () => {
    expect(wrongImports(edges)).toStrictEqual([]);
  });

  test('GIVEN the import graph of src/ THEN it has no cycle', () => {
    const next = new Map<string, string[]>();
    for (const { file, target } of edges) next.set(file, [...(next.get(file) ?? []), target]);
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (file: string, trail: string[]): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push([...trail.slice(trail.indexOf(file)), file].map((f) => path.relative(ROOT, f)).join(' -> '));
        return;
      }
      state.set(file, 'open');
      for (const t of next.get(file) ?? []) visit(t, [...trail, file]);
      state.set(file, 'done');
    };
    for (const f of files) visit(f, []);
    expect(cycles).toStrictEqual([]);
  });

  test('GIVEN the generators in tools/ THEN they are not part of the package (package.json files), and src/ never imports them', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.files.filter((f: string) => f.includes('tools'))).toStrictEqual([]);
    expect(edges.filter(({ target }) => layerOf(target) === 'tools')).toStrictEqual([]);
  });

  test('GIVEN imports that point up, into tools/, or to imports/ from core THEN the check names each one', () => {
    const at = (...p: string[]) => path.join(ROOT, ...p);
    expect(
      wrongImports([
        { file: at('src', 'core', 'errors.ts'), spec: '../pipeline/stage', target: at('src', 'pipeline', 'stage.ts') },
        { file: at('src', 'config', 'load.ts'), spec: '../../tools/gen-validators', target: at('tools', 'gen-validators.ts') },
        { file: at('src', 'core', 'names.ts'), spec: '../../imports/k8s', target: at('imports', 'k8s.ts') },
        { file: at('src', 'cli', 'main.ts'), spec: '../core/errors', target: at('src', 'core', 'errors.ts') },
      ]),
    ).toStrictEqual([
      'src/core/errors.ts (core) imports ../pipeline/stage (pipeline)',
      'src/config/load.ts (config) imports ../../tools/gen-validators (tools)',
      'src/core/names.ts (core) imports ../../imports/k8s (imports)',
    ]);
  });

  test('GIVEN the exports of src/ THEN none re-exports a whole module (`export *`): index.ts, the public API, names each export', () => {
    // `export type * as Config` gathers the generated config types under one name; it adds one name, not a module's.
    const WHOLESALE = /^\s*export\s+(type\s+)?\*\s+from\b/m;
    expect(["export * from './a';", "export type * from './a';", "export type * as Config from './a';"].map((t) => WHOLESALE.test(t))).toStrictEqual([true, true, false]);
    expect(files.filter((f) => WHOLESALE.test(fs.readFileSync(f, 'utf8'))).map((f) => path.relative(ROOT, f))).toStrictEqual([]);
    const index = fs.readFileSync(path.join(ROOT, 'src', TOP), 'utf8');
    expect(index).toMatch(/^export type \* as Config from '\.\/config\/types\.generated';$/m);
  });
});

describe('what a command loads', () => {
  test('GIVEN `modelcar validate` THEN it loads neither cdk8s nor the pipeline (validate of 1000 objects must start fast: npm run bench)', () => {
    const script = [
      "const { main } = require('./lib/src/cli/main.js');",
      "main(['validate', '--help'], () => {}, () => {}).then(() => {",
      "  const loaded = Object.keys(require.cache).map((f) => f.slice(process.cwd().length + 1));",
      "  process.stdout.write(JSON.stringify(loaded.filter((f) => /node_modules\\/cdk8s|lib\\/src\\/(pipeline|constructs|config\\/translate)\\//.test(f))));",
      '});',
    ].join('\n');
    const out = execFileSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' });
    expect(JSON.parse(out)).toStrictEqual([]);
  });

  test('GIVEN `modelcar synth` of a config without hub sources THEN it loads neither the HTTP client nor its proxy agents, nor the generated classes of imports/ other than the ServingRuntime\'s, nor the Tekton checks (the start-up of every synth: BENCHMARKS.md)', () => {
    const outdir = tempDir('modelcar-loads-');
    const script = [
      "const { main } = require('./lib/src/cli/main.js');",
      `main(['synth', '-c', 'examples/mobilenet/modelcar.yaml', '-o', ${JSON.stringify(outdir)}], () => {}, () => {}).then((code) => {`,
      "  const loaded = Object.keys(require.cache).map((f) => f.slice(process.cwd().length + 1));",
      "  process.stdout.write(JSON.stringify({ code, loaded: loaded.filter((f) => /proxy-agent|agent-base|cdk8s-plus|lib\\/imports\\/|lib\\/src\\/validation\\/tekton|lib\\/src\\/pipeline\\/(http-client|transfer|sources\\/hub-client)/.test(f)) }));",
      '});',
    ].join('\n');
    const out = execFileSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    expect(JSON.parse(out)).toStrictEqual({ code: 0, loaded: ['lib/imports/kserve-sr-serving.kserve.io.js'] });
  });
});
