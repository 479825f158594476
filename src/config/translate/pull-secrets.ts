/** The pull secrets of a config: references to Secrets that exist, or ExternalSecrets the operator fills. */
import { Construct } from 'constructs';
import { Diagnostic } from '../../core/errors';
import { checkName } from '../../core/names';
import { ExternalPullSecret } from '../../constructs/external-pull-secret';
import { IPullSecret, PullSecret } from '../../constructs/pull-secret';
import { LoadedConfig } from '../load';
import { PullSecretConfig } from '../types.generated';

/** Checks the entries under `pullSecrets`. Problems are added to `problems`, at their fields. */
export function checkPullSecrets(loaded: LoadedConfig, problems: Diagnostic[]): void {
  const { config, at } = loaded;
  for (const [name, entry] of Object.entries(config.pullSecrets ?? {})) {
    for (const p of checkName('subdomain', name)) problems.push(at(['pullSecrets', name], `"${name}" is not a valid Secret name: ${p}`));
    if (entry.fromEnv && entry.externalSecret) {
      problems.push(at(['pullSecrets', name], `give either fromEnv (modelcar pull-secret makes it) or externalSecret (the operator makes it), not both`));
    }
  }
}

/** Checks the pull secret `models[index]` names (its own or the default one). */
export function checkModelPullSecret(loaded: LoadedConfig, index: number, problems: Diagnostic[]): void {
  const { config, at } = loaded;
  const model = config.models[index];
  const pullSecret = model.pullSecret ?? config.defaults?.pullSecret;
  if (pullSecret === undefined) return;
  for (const p of checkName('subdomain', pullSecret)) {
    problems.push(at(model.pullSecret !== undefined ? ['models', index, 'pullSecret'] : ['defaults', 'pullSecret'], `"${pullSecret}" is not a valid Secret name: ${p}`));
  }
}

/**
 * The pull secret a model uses: an ExternalSecret (emitted once per namespace) when the config says where
 * the credentials are stored, else a reference to a Secret that exists (or that `modelcar pull-secret` makes).
 */
export function pullSecretFor(scope: Construct, namespace: string, name: string, entry: PullSecretConfig | undefined): IPullSecret {
  const store = entry?.externalSecret;
  if (!store) return PullSecret.fromSecretName(name);
  const id = `ExternalPullSecret:${namespace}:${name}`;
  const existing = scope.node.tryFindChild(id);
  if (existing) return existing as ExternalPullSecret;
  return new ExternalPullSecret(scope, id, { name, namespace, server: entry.server, ...store });
}
