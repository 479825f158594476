import * as YAML from 'yaml';
import { UserError, formatDiagnostic } from '../core/errors';
import { OutputFile } from '../core/output-file';
import type { CrdSet } from '../core/releases';
import { DEFAULT_KSERVE_RELEASE, KserveRelease } from './kserve-admission';
import { RELEASE_CRD_SETS } from './validate-object';
import { ValidationReport, documentsPass, emptyReport, formatWarning, validateYamlText } from './validate-yaml';
import type * as Tekton from './tekton';

/**
 * The synthesized output failed validation: an object the API server or KServe's webhooks would refuse, or one KServe
 * would admit and then fail on; a value in the config (or in TypeScript constructs) that the checks before it let
 * through. Nothing was written.
 */
export class OutputValidationError extends UserError {
  constructor(message: string) {
    super(message);
  }
}

/** Options of {@link validateOutput}. */
export interface ValidateOutputOptions {
  /**
   * The KServe release that judges the objects.
   * @default - per object: v0.20.0 for an InferenceService whose deployment mode is named `Knative` or `Standard`
   * (names modelcar writes for kserveVersion 0.16 and later), else v0.15.2
   */
  readonly kserve?: KserveRelease;
  /**
   * The KServe CRDs that KServe objects are checked against: those of the platform release the output is for (e.g.
   * OpenDataHub's fork, `odh-v3.4`).
   * @default - the CRDs of the KServe release that judges them
   */
  readonly crds?: CrdSet;
}

/**
 * The release an output file was written for: the deployment mode names modelcar writes say which KServe version the
 * config (or construct) named (`deploymentModeOn` in core/releases.ts).
 */
function releaseOf(data: unknown): KserveRelease {
  const items = Array.isArray((data as { items?: unknown })?.items) ? ((data as { items: unknown[] }).items) : [data];
  for (const item of items) {
    const mode = (item as { metadata?: { annotations?: Record<string, unknown> } })?.metadata?.annotations?.['serving.kserve.io/deploymentMode'];
    if (mode === 'Knative' || mode === 'Standard') return 'v0.20.0';
  }
  return DEFAULT_KSERVE_RELEASE;
}

/**
 * Validates every manifest synth is about to write, as `modelcar validate` would validate the written files, with
 * KServe's admission rules; unlike `modelcar validate`, what KServe would admit and then fail on (a warning there)
 * is refused too: modelcar does not write an object that cannot run. `outdir` is the output folder as named in
 * messages.
 *
 * A file that carries the object it was serialized from (`data`) is checked as that object: parsing the YAML
 * synth has just written out costs far more than the check itself. Only a file whose object fails is parsed, for
 * the lines of its problems, which are then exactly those `modelcar validate` reports.
 * @throws OutputValidationError listing every problem, with file and line.
 */
export function validateOutput(files: readonly OutputFile[], outdir: string, options: ValidateOutputOptions = {}): void {
  const manifests = files.filter((f) => f.path.endsWith('.yaml') && /^([a-z0-9-]+\/)?manifests\//.test(f.path));
  const byRelease = new Map<KserveRelease, { file: OutputFile; documents: unknown[] }[]>();
  for (const file of manifests) {
    const documents = file.data !== undefined ? [file.data] : YAML.parseAllDocuments(file.content).map((d) => d.toJS());
    const release = options.kserve ?? (documents.some((d) => releaseOf(d) !== DEFAULT_KSERVE_RELEASE) ? 'v0.20.0' : DEFAULT_KSERVE_RELEASE);
    const entries = byRelease.get(release) ?? [];
    byRelease.set(release, entries);
    entries.push({ file, documents });
  }
  const reports: ValidationReport[] = [];
  for (const [release, entries] of byRelease) {
    const crds = options.crds ?? RELEASE_CRD_SETS[release];
    const report = emptyReport(release, crds);
    reports.push(report);
    // The objects as data, each validated once; only when one fails are the files read as text, every one of them
    // in order (a runtime is judged against the runtimes before it), for the problems with their lines.
    if (documentsPass(entries.flatMap((e) => e.documents), release, crds)) continue;
    for (const { file } of entries) validateYamlText(`${outdir}/${file.path}`, file.content, report);
  }
  // The in-cluster builds: Tekton's webhook and reconciler rules, each environment's objects together.
  const builds = new Map<string, unknown[]>();
  for (const f of files) {
    const m = /^(([a-z0-9-]+\/)?builds)\/.*\.yaml$/.exec(f.path);
    if (!m || f.data === undefined || (f.data as { kind?: string }).kind === 'Kustomization') continue;
    builds.set(m[1], [...(builds.get(m[1]) ?? []), f.data]);
  }
  // Loaded only for a config with in-cluster builds.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const tektonProblems = builds.size ? (require('./tekton') as typeof Tekton).tektonProblems : undefined;
  const tekton = [...builds.values()].flatMap((objects) => tektonProblems!(objects));
  const lines = [...reports.flatMap((r) => [...r.problems.map(formatDiagnostic), ...r.warnings.map(formatWarning)]), ...tekton.map((p) => `${outdir}: ${p}`)];
  if (lines.length === 0) return;
  const n = lines.length;
  const what = tekton.length ? "the KServe / Kubernetes schemas, KServe's admission rules or Tekton's checks" : "the KServe / Kubernetes schemas and KServe's admission rules";
  throw new OutputValidationError(
    [`the synthesized objects do not pass ${what}:`, ...lines, `${n} problem${n === 1 ? '' : 's'} found; nothing was written.`].join('\n'),
  );
}
