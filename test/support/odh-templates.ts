/**
 * OpenDataHub's runtime templates of each release, read where they are published (../shared/odh/runtimes/<tag>/:
 * odh-model-controller config/runtimes/ and config/base/params.env at the tag), and what the dashboard makes of them.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { sharedPath } from './shared';

/** The releases of odh-model-controller in ../shared, oldest first. */
export const ODH_TAGS = ['odh-v2.25', 'odh-v2.26', 'odh-v2.27', 'odh-v2.30', 'odh-v2.35', 'odh-v3.0', 'odh-v3.3', 'odh-v3.4'] as const;

/** params.env of a release: image parameter name to image. */
export function odhParams(tag: string): Record<string, string> {
  return Object.fromEntries(
    fs
      .readFileSync(path.join(sharedPath('odh', 'runtimes', tag), 'params.env'), 'utf8')
      .split('\n')
      .filter((l) => l.includes('=') && !l.startsWith('#'))
      .map((l) => l.split(/=(.*)/s).slice(0, 2) as [string, string]),
  );
}

/** A template of a release, parsed. */
export function odhTemplate(tag: string, file: string): any {
  return YAML.parse(fs.readFileSync(path.join(sharedPath('odh', 'runtimes', tag), file), 'utf8'));
}

/** The single-model (KServe) templates of a release, by the ServingRuntime they hold. */
export function singleModelTemplates(tag: string): Record<string, string> {
  const dir = sharedPath('odh', 'runtimes', tag);
  const out: Record<string, string> = {};
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('-template.yaml')).sort()) {
    const t = odhTemplate(tag, f);
    if (JSON.parse(t.metadata.annotations['opendatahub.io/modelServingSupport']).includes('single')) out[t.objects[0].metadata.name] = f;
  }
  return out;
}

/**
 * The ServingRuntime of a template, with its image placeholders filled in from params.env (or `images`), as the ODH
 * operator's kustomization does.
 */
export function odhServingRuntime(tag: string, file: string, images: Record<string, string> = odhParams(tag)): any {
  const text = JSON.stringify(odhTemplate(tag, file).objects[0]).replace(/\$\(([a-z-]+)\)/g, (_, name) => {
    if (!(name in images)) throw new Error(`params.env of ${tag} has no ${name}`);
    return images[name];
  });
  return JSON.parse(text);
}

/**
 * What the OpenShift AI dashboard makes of a template's ServingRuntime in a namespace (odh-dashboard v3.4.0
 * frontend/src/pages/modelServing/customServingRuntimes/utils.ts getServingRuntimeFromTemplate, and
 * packages/kserve/src/deployServer.ts assembleServingRuntime): the object, plus the Template's API protocol, the
 * template it came from and its scope (a global template, of the dashboard's namespace).
 */
export function dashboardServingRuntime(tag: string, file: string, namespace: string, images?: Record<string, string>): any {
  const template = odhTemplate(tag, file);
  const object = odhServingRuntime(tag, file, images);
  object.metadata.namespace = namespace;
  object.metadata.annotations = {
    ...object.metadata.annotations,
    'opendatahub.io/apiProtocol': template.metadata.annotations['opendatahub.io/apiProtocol'],
    'opendatahub.io/template-name': object.metadata.name,
    'opendatahub.io/template-display-name': object.metadata.annotations['openshift.io/display-name'],
    'opendatahub.io/serving-runtime-scope': 'global',
  };
  return object;
}
