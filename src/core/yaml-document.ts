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

/** The options every reader of modelcar passes to `yaml`, with keys checked for duplicates by {@link parseYaml}. */
type ParseOptions = YAML.ParseOptions & YAML.DocumentOptions & YAML.SchemaOptions;

/**
 * Parses one YAML document as `YAML.parseDocument` with `uniqueKeys: true` does, in linear time. The library checks
 * each key of a map against every key before it, so a map of thousands of keys (the lock file's record of a folder
 * of thousands of files, a large ConfigMap) took seconds; this parses with `uniqueKeys: false` and finds duplicate
 * keys with one set per map ({@link addDuplicateKeyErrors}).
 */
export function parseYaml(text: string, options: ParseOptions): YAML.Document.Parsed {
  const doc = YAML.parseDocument(text, { ...options, uniqueKeys: false });
  addDuplicateKeyErrors(doc, text);
  return doc;
}

/** Every document of a YAML stream, as `YAML.parseAllDocuments` with `uniqueKeys: true` gives them, in linear time. */
export function parseAllYaml(text: string, options: ParseOptions): YAML.Document.Parsed[] {
  const docs = YAML.parseAllDocuments(text, { ...options, uniqueKeys: false });
  const list = Array.isArray(docs) ? docs : [docs as unknown as YAML.Document.Parsed];
  for (const doc of list) addDuplicateKeyErrors(doc, text);
  return list;
}

/**
 * Adds to a document's errors the error `yaml` gives a key that a map already has (its code, message and
 * position: yaml 2.x `compose/util-map-includes.js`, where two keys are the same when they are the same node or
 * scalars of the same value), in the order of the document. Walks the nodes with a stack of its own (a document
 * too deep for recursion is found later, by {@link nestingProblem}); aliases are not followed (the node they name is
 * checked where it stands). `text` is the document's source.
 */
export function addDuplicateKeyErrors(doc: YAML.Document.Parsed, text: string): void {
  const found: YAML.YAMLParseError[] = [];
  const stack: unknown[] = [doc.contents];
  const isCollection = (node: unknown) => YAML.isMap(node) || YAML.isSeq(node);
  while (stack.length) {
    const node = stack.pop();
    if (YAML.isMap(node)) {
      const items = node.items;
      // A small map (most of them) is searched as yaml does; a large one with a set.
      let seen: Set<unknown> | undefined;
      for (let i = 0; i < items.length; i++) {
        const { key, value } = items[i]!;
        // Not NaN: a set finds NaN in itself, `===` does not.
        if (YAML.isScalar(key) && !Number.isNaN(key.value)) {
          let twice = false;
          if (items.length <= 16) {
            for (let j = 0; j < i && !twice; j++) {
              const other = items[j]!.key;
              twice = YAML.isScalar(other) && other.value === key.value;
            }
          } else {
            seen ??= new Set();
            twice = seen.has(key.value);
            seen.add(key.value);
          }
          if (twice) {
            // An empty key's node starts before the blanks that precede its `:`; yaml reports the key where they end.
            let at = key.range?.[0] ?? node.range?.[0] ?? 0;
            while (text[at] === ' ' || text[at] === '\t') at++;
            found.push(new YAML.YAMLParseError([at, at + 1], 'DUPLICATE_KEY', 'Map keys must be unique'));
          }
        } else if (isCollection(key)) stack.push(key);
        if (isCollection(value)) stack.push(value);
      }
    } else if (YAML.isSeq(node)) {
      for (const item of node.items) if (isCollection(item)) stack.push(item);
    }
  }
  if (found.length === 0) return;
  // Merged into the library's errors by position, theirs kept in their order.
  found.sort((a, b) => a.pos[0] - b.pos[0]);
  const merged: YAML.YAMLError[] = [];
  let next = 0;
  for (const e of doc.errors) {
    while (next < found.length && found[next]!.pos[0] < e.pos[0]) merged.push(found[next++]!);
    merged.push(e);
  }
  merged.push(...found.slice(next));
  doc.errors.splice(0, doc.errors.length, ...merged);
}
