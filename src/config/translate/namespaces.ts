/** The namespaces of a config: those declared under `namespaces`, and those its models name. */
import { Construct } from 'constructs';
import { Diagnostic } from '../../core/errors';
import { Platform } from '../../core/platform';
import { Namespace } from '../../constructs/namespace';
import { LoadedConfig } from '../load';
import { FieldPath, construct } from './diagnostics';
import { own } from '../../core/records';

/** The namespaces declared under `namespaces`, each with its field. */
export function declaredNamespaces(loaded: LoadedConfig): Map<string, FieldPath> {
  return new Map(Object.keys(loaded.config.namespaces ?? {}).map((name) => [name, ['namespaces', name]]));
}

/**
 * Adds a {@link Namespace} for each namespace, in name order, with what the config declares about it. The problems
 * the Namespace finds are added to `problems`, at the fields of the config they came from.
 */
export function addNamespaces(scope: Construct, loaded: LoadedConfig, namespaces: ReadonlyMap<string, FieldPath>, platform: Platform, problems: Diagnostic[]): void {
  for (const [name, field] of [...namespaces].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const ns = own(loaded.config.namespaces, name) ?? {};
    construct(loaded, problems, field, (p) => ({ field: p.path[0] === 'name' ? field : ['namespaces', name, ...p.path] }), () =>
      new Namespace(scope, `Namespace:${name}`, { name, platform, ...ns }),
    );
  }
}
