import * as YAML from 'yaml';
import { Diagnostic } from './errors';

/**
 * Converts a parsed YAML document to plain data, turning what YAML allows but a config or manifest
 * cannot hold into problems with positions: keys that are maps or lists, aliases to anchors that are not
 * defined before them, documents that expand aliases excessively (a "billion laughs" document), that nest
 * deeper than {@link MAX_YAML_DEPTH}, or whose aliases make a cycle.
 */
export function documentToJs(
  doc: YAML.Document.Parsed,
  position: (offset: number | undefined) => Diagnostic['position'],
): { data: any } | { problems: Diagnostic[] } {
  // First, without recursion: the steps after this one (visit, toJS, the schemas) recurse once per level.
  const nesting = nestingProblem(doc);
  if (nesting) return { problems: [{ position: position(nesting.offset), field: '', message: nesting.message }] };
  const problems: Diagnostic[] = [];
  const anchors = new Set<string>();
  YAML.visit(doc, {
    Node(_key, node) {
      if (YAML.isNode(node) && !YAML.isAlias(node) && node.anchor) anchors.add(node.anchor);
      if (YAML.isAlias(node) && !anchors.has(node.source)) {
        problems.push({ position: position(node.range?.[0]), field: '', message: `unknown alias "*${node.source}": an alias must refer to an anchor (&${node.source}) defined before it` });
      }
    },
    Pair(_key, pair) {
      if (pair.key !== null && !YAML.isScalar(pair.key) && !YAML.isAlias(pair.key)) {
        problems.push({ position: position((pair.key as YAML.Node).range?.[0]), field: '', message: 'a key must be text, not a map or a list' });
      }
    },
  });
  if (problems.length) return { problems };
  try {
    return { data: doc.toJS({ maxAliasCount: 100 }) };
  } catch (e) {
    return { problems: [{ position: position(undefined), field: '', message: `YAML error: ${(e as Error).message}` }] };
  }
}

/**
 * How deep a config or manifest may nest. Kubernetes objects need far less (the KServe CRDs themselves, the deepest
 * YAML modelcar reads, nest 32 levels); a document thousands of levels deep would overflow the stack of every step
 * that reads it recursively.
 */
export const MAX_YAML_DEPTH = 100;

/** The YAML library's message when its own recursion overflowed: the document nests too deeply to be read. */
export function isTooDeep(e: { message: string }): boolean {
  return /Maximum call stack size exceeded/.test(e.message);
}

/**
 * A document's parse errors with the stack overflow of a document too deep to read kept once: the YAML library
 * reports it again for each level it unwinds through while stack is left, so how many times depends on the stack
 * of the caller, not on the document.
 */
export function onceTooDeep<E extends { message: string }>(errors: readonly E[]): E[] {
  const first = errors.findIndex(isTooDeep);
  return errors.filter((e, i) => i === first || !isTooDeep(e));
}

/** What to say for a document too deep to read. */
export const TOO_DEEP_MESSAGE = `the YAML nests too deeply to be read (modelcar reads at most ${MAX_YAML_DEPTH} levels; Kubernetes objects and configs need far fewer)`;

/**
 * Whether a document nests deeper than {@link MAX_YAML_DEPTH} levels, counting what aliases bring in, or holds an
 * alias to a node around it (a cycle: the data would be infinitely deep). Walks the nodes with a stack of its own.
 */
export function nestingProblem(doc: YAML.Document.Parsed): { message: string; offset?: number } | undefined {
  type Frame = { node: unknown; depth: number; path: ReadonlySet<unknown> };
  const deepest = new Map<unknown, number>();
  const stack: Frame[] = [{ node: doc.contents, depth: 1, path: new Set() }];
  while (stack.length) {
    const { node, depth, path } = stack.pop()!;
    let target = node;
    if (YAML.isAlias(node)) {
      target = node.resolve(doc);
      if (target === undefined) continue;
      if (path.has(target)) return { message: `the alias *${node.source} refers to a node that holds it: the value would be infinitely deep`, offset: node.range?.[0] };
    }
    const collection = YAML.isMap(target) || YAML.isSeq(target);
    if (!collection) continue;
    // Levels are maps and lists: a map of maps of scalars is two levels deep.
    if (depth > MAX_YAML_DEPTH) return { message: TOO_DEEP_MESSAGE, offset: (node as YAML.Node).range?.[0] };
    // A node reached again (through an alias) no deeper than before adds nothing new.
    if ((deepest.get(target) ?? 0) >= depth) continue;
    deepest.set(target, depth);
    const children: unknown[] = [];
    if (YAML.isMap(target)) for (const pair of target.items) children.push(pair.key, pair.value);
    else children.push(...(target as YAML.YAMLSeq).items);
    const inside = new Set(path).add(target);
    for (const child of children) if (YAML.isNode(child)) stack.push({ node: child, depth: depth + 1, path: inside });
  }
  return undefined;
}
