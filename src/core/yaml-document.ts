import * as YAML from 'yaml';
import { Diagnostic } from './errors';

/**
 * Converts a parsed YAML document to plain data, turning what YAML allows but a config or manifest
 * cannot hold into problems with positions: keys that are maps or lists, aliases to anchors that are not
 * defined before them, and documents that expand aliases excessively (a "billion laughs" document).
 */
export function documentToJs(
  doc: YAML.Document.Parsed,
  position: (offset: number | undefined) => Diagnostic['position'],
): { data: any } | { problems: Diagnostic[] } {
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
