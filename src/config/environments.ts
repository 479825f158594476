import { own } from '../core/records';
import { Diagnostic, ConfigError, didYouMean } from '../core/errors';
import { LoadedConfig } from './load';
import { ModelConfig, ModelcarConfig } from './types.generated';

/** Names an environment cannot have: they are folders of the output. */
export const RESERVED_ENVIRONMENT_NAMES: readonly string[] = ['argocd', 'images', 'manifests'];

/** The environments of a config, sorted; empty when it has none. */
export function environmentNames(config: ModelcarConfig): string[] {
  return Object.keys(config.environments ?? {}).sort();
}

/**
 * The config as one environment sees it: its defaults, namespace renames, namespace descriptions and model
 * changes applied, its excluded models left out. Diagnostics about a value an environment set point at the
 * environment's line; those about inherited values at the line above.
 */
export function resolveEnvironment(loaded: LoadedConfig, env: string): LoadedConfig {
  const { config } = loaded;
  const overlay = own(config.environments, env) ?? {};
  const problems: Diagnostic[] = [];
  const envField = (...rest: (string | number)[]) => ['environments', env, ...rest];
  if (RESERVED_ENVIRONMENT_NAMES.includes(env)) {
    problems.push(loaded.at(envField(), `"${env}" cannot name an environment: it is a folder of the output (${RESERVED_ENVIRONMENT_NAMES.join(', ')})`));
  }

  const keyOf = (m: ModelConfig) => `${m.namespace ?? config.defaults?.namespace ?? ''}/${m.name}`;
  const byKey = new Map<string, number>();
  const byName = new Map<string, number[]>();
  config.models.forEach((m, i) => {
    byKey.set(keyOf(m), i);
    byName.set(m.name, [...(byName.get(m.name) ?? []), i]);
  });
  /** The model a key (name or namespace/name) names, or a diagnostic. */
  const find = (key: string, field: (string | number)[]): number | undefined => {
    if (byKey.has(key)) return byKey.get(key);
    const named = byName.get(key) ?? [];
    if (named.length === 1) return named[0];
    if (named.length > 1) {
      problems.push(loaded.at(field, `"${key}" is the name of models in several namespaces; write namespace/name (${named.map((i) => keyOf(config.models[i])).join(', ')})`));
    } else {
      const hint = didYouMean(key, [...byName.keys()]);
      problems.push(loaded.at(field, `no model is named "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}`));
    }
    return undefined;
  };

  const overrides = new Map<number, string>();
  for (const key of Object.keys(overlay.models ?? {})) {
    const i = find(key, envField('models', key));
    if (i !== undefined) overrides.set(i, key);
  }
  const excluded = new Set<number>();
  (overlay.exclude ?? []).forEach((key, j) => {
    const i = find(key, envField('exclude', j));
    if (i !== undefined) excluded.add(i);
  });
  if (problems.length) throw new ConfigError(problems);

  const renames = overlay.renameNamespaces ?? {};
  const rename = (ns: string | undefined) => (ns !== undefined && own(renames, ns) !== undefined ? own(renames, ns) : ns);
  const defaults = { ...config.defaults, ...overlay.defaults };
  const kept: { model: ModelConfig; index: number }[] = [];
  config.models.forEach((m, index) => {
    if (excluded.has(index)) return;
    const key = overrides.get(index);
    const merged: ModelConfig = { ...m, ...(key === undefined ? {} : overlay.models![key]) };
    // Models without a namespace of their own take the default's, renamed below like any other.
    const namespace = rename(merged.namespace ?? defaults.namespace);
    kept.push({ model: { ...merged, ...(namespace === undefined ? {} : { namespace }) }, index });
  });

  const namespaces: Record<string, any> = Object.create(null);
  for (const [name, description] of Object.entries(config.namespaces ?? {})) namespaces[rename(name)!] = description;
  Object.assign(namespaces, overlay.namespaces);

  const resolved: ModelcarConfig = {
    ...config,
    defaults: { ...defaults, ...(defaults.namespace !== undefined ? { namespace: rename(defaults.namespace) } : {}) },
    namespaces,
    models: kept.map((k) => k.model) as ModelcarConfig['models'],
  };
  delete (resolved as { environments?: unknown }).environments;

  /** Maps a field of the resolved config to where its value was written. */
  const source = (field: readonly (string | number)[]): readonly (string | number)[] => {
    const [top, i, key, ...rest] = field;
    if (top === 'models' && typeof i === 'number') {
      const { index } = kept[i];
      const overrideKey = overrides.get(index);
      if (key === 'namespace') {
        const original = config.models[index].namespace;
        const fromDefaults = original === undefined && overlay.models?.[overrideKey ?? '']?.namespace === undefined;
        const before = overlay.models?.[overrideKey ?? '']?.namespace ?? original ?? config.defaults?.namespace;
        if (before !== undefined && own(renames, before) !== undefined) return envField('renameNamespaces', before);
        if (fromDefaults) return overlay.defaults?.namespace !== undefined ? envField('defaults', 'namespace') : ['defaults', 'namespace'];
      }
      if (key !== undefined && overrideKey !== undefined && (overlay.models![overrideKey] as Record<string, unknown>)[key as string] !== undefined) {
        return envField('models', overrideKey, key, ...rest);
      }
      return ['models', index, ...(key === undefined ? [] : [key]), ...rest];
    }
    if (top === 'defaults' && i === 'namespace') {
      const before = overlay.defaults?.namespace ?? config.defaults?.namespace;
      if (before !== undefined && own(renames, before) !== undefined) return envField('renameNamespaces', before);
    }
    if (top === 'defaults' && typeof i === 'string' && (overlay.defaults as Record<string, unknown> | undefined)?.[i] !== undefined) return envField('defaults', i, ...field.slice(2));
    if (top === 'namespaces' && typeof i === 'string') {
      if (overlay.namespaces?.[i] !== undefined) return envField('namespaces', ...field.slice(1));
      const original = Object.keys(renames).find((k) => renames[k] === i);
      if (original !== undefined) return envField('renameNamespaces', original);
    }
    return field;
  };
  const invalidModels = new Set<number>();
  kept.forEach((k, i) => loaded.invalidModels.has(k.index) && invalidModels.add(i));
  return { ...loaded, config: resolved, invalidModels, at: (field, message) => loaded.at(source(field), message) };
}
