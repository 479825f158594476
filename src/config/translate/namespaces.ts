/** The namespaces of a config: those declared under `namespaces`, and those its models name. */
import { Construct } from 'constructs';
import { Diagnostic } from '../../core/errors';
import { checkName } from '../../core/names';
import { Platform } from '../../core/platform';
import { Namespace } from '../../constructs/namespace';
import { annotationProblems, labelProblems } from '../../validation/validate-object';
import { LoadedConfig } from '../load';
import { FieldPath, construct } from './diagnostics';

/**
 * The namespaces declared under `namespaces`, each with its field, and checks them and `defaults.namespace`.
 * Problems are added to `problems`, at their fields.
 */
export function declaredNamespaces(loaded: LoadedConfig, problems: Diagnostic[]): Map<string, FieldPath> {
  const { config, at } = loaded;
  const namespaces = new Map<string, FieldPath>();
  for (const [name, ns] of Object.entries(config.namespaces ?? {})) {
    namespaces.set(name, ['namespaces', name]);
    for (const p of checkName('label', name)) problems.push(at(['namespaces', name], `namespace name "${name}" is not valid: ${p}`));
    for (const p of [...labelProblems(ns.labels, ['namespaces', name, 'labels']), ...annotationProblems(ns.annotations, ['namespaces', name, 'annotations'])]) {
      problems.push(at(p.path, p.message));
    }
  }
  const fallback = config.defaults?.namespace;
  if (fallback !== undefined) {
    for (const p of checkName('label', fallback)) problems.push(at(['defaults', 'namespace'], `"${fallback}" is not a valid namespace name: ${p}`));
  }
  return namespaces;
}

/** Adds a {@link Namespace} for each namespace, in name order, with what the config declares about it. */
export function addNamespaces(scope: Construct, loaded: LoadedConfig, namespaces: ReadonlyMap<string, FieldPath>, platform: Platform, problems: Diagnostic[]): void {
  for (const [name, field] of [...namespaces].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const ns = loaded.config.namespaces?.[name] ?? {};
    construct(problems, loaded.at(field, ''), () => new Namespace(scope, `Namespace:${name}`, { name, platform, ...ns }));
  }
}
