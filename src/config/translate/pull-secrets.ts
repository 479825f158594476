/** The pull secrets of a config: references to Secrets that exist, or ExternalSecrets the operator fills. */
import { Construct } from 'constructs';
import { Diagnostic } from '../../core/errors';
import { ExternalPullSecret } from '../../constructs/external-pull-secret';
import { IPullSecret, PullSecret } from '../../constructs/pull-secret';
import { LoadedConfig } from '../load';
import { FieldPath, construct } from './diagnostics';
import { own } from '../../core/records';

/** Checks the entries under `pullSecrets`: their names (as Secret names), and that each says one way to make it. */
export function checkPullSecrets(loaded: LoadedConfig, problems: Diagnostic[]): void {
  const { config, at } = loaded;
  for (const [name, entry] of Object.entries(config.pullSecrets ?? {})) {
    const field = ['pullSecrets', name];
    construct(loaded, problems, field, () => ({ field }), () => PullSecret.fromSecretName(name));
    if (entry.fromEnv && entry.externalSecret) {
      problems.push(at(field, `give either fromEnv (modelcar pull-secret makes it) or externalSecret (the operator makes it), not both`));
    }
  }
}

/**
 * The pull secret `models[index]` uses (its own or the default one), in its namespace: an ExternalSecret (emitted
 * once per namespace) when the config says where the credentials are stored, else a reference to a Secret that
 * exists (or that `modelcar pull-secret` makes). Undefined when it has none, or with problems, which are added to
 * `problems` at the fields they came from.
 */
export function modelPullSecret(
  scope: Construct,
  loaded: LoadedConfig,
  index: number,
  namespace: { readonly name: string; readonly field: FieldPath },
  problems: Diagnostic[],
): IPullSecret | undefined {
  const { config } = loaded;
  const model = config.models[index];
  const name = model.pullSecret ?? config.defaults?.pullSecret;
  if (name === undefined) return undefined;
  const named: FieldPath = model.pullSecret !== undefined ? ['models', index, 'pullSecret'] : ['defaults', 'pullSecret'];
  const entry = own(config.pullSecrets, name);
  const store = entry?.externalSecret;
  if (!store) return construct(loaded, problems, named, () => ({ field: named }), () => PullSecret.fromSecretName(name));
  const id = `ExternalPullSecret:${namespace.name}:${name}`;
  const existing = scope.node.tryFindChild(id);
  if (ExternalPullSecret.isExternalPullSecret(existing)) return existing;
  const entryField = ['pullSecrets', name];
  return construct(
    loaded,
    problems,
    entryField,
    (p) => {
      const prop = p.path[0];
      if (prop === 'name') return { field: entryField };
      if (prop === 'server') return { field: [...entryField, 'server'] };
      if (prop === 'namespace') return { field: namespace.field };
      return { field: [...entryField, 'externalSecret', ...p.path] };
    },
    () => new ExternalPullSecret(scope, id, { name, namespace: namespace.name, server: entry.server, ...store }),
  );
}
