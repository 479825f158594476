/**
 * The digest of an in-cluster build back into git: `modelcar pin --from-run` reads finished TaskRuns (as
 * `oc get taskrun -o yaml` prints them), checks that each built a model of the config from the inputs the config
 * has now, and records the digest it reported in the lock file, as `modelcar build --push` records its own; the next
 * synth pins storageUri to it.
 */
import * as path from 'path';
import * as YAML from 'yaml';
import { UserError } from '../core/errors';
import { parseImageReference, repositoryOf } from '../core/image-ref';
import { BUILD_INPUTS_ANNOTATION } from '../constructs/build-run';
import { BUILD_RESULTS } from '../constructs/build-task';
import { loadConfigImages } from './config-images';
import { setOwn } from '../core/records';
import { LockEntry, inputsDigest, recordImages } from './lock';

/** Options of {@link pinFromRuns}. */
export interface PinFromRunsOptions {
  /** The config file. */
  readonly config: string;
  /** The output folder synth writes (for the images' build contexts, as stage and build name them). */
  readonly outdir: string;
  /** The TaskRuns: YAML or JSON, one or more documents, or a `List`, as `oc get taskrun -o yaml` prints them. */
  readonly runs: string;
  /** Where the runs come from, in messages. */
  readonly source: string;
}

/** One digest recorded. */
export interface PinnedImage {
  readonly key: string;
  readonly image: string;
  readonly digest: string;
  /** The TaskRun that reported it. */
  readonly run: string;
}

/**
 * Records in the lock file the digests the given TaskRuns pushed. Throws a {@link UserError}, recording nothing, when
 * a run did not succeed, reports no digest, or was made from inputs the config no longer has (a run of an older
 * commit), or names a model the config does not build in the cluster.
 */
export function pinFromRuns(options: PinFromRunsOptions): { readonly pinned: readonly PinnedImage[]; readonly lockFile: string } {
  const set = loadConfigImages(options.config, options.outdir);
  const runs = parseRuns(options.runs, options.source);
  const pinned: { key: string; entry: LockEntry; run: string }[] = [];
  const problems: string[] = [];
  for (const run of runs) {
    const name = `TaskRun ${run.metadata?.namespace}/${run.metadata?.name}`;
    const inputs = run.metadata?.annotations?.[BUILD_INPUTS_ANNOTATION];
    const model = run.metadata?.labels?.['dev.modelcar.model.name'];
    if (typeof inputs !== 'string' || typeof model !== 'string') {
      problems.push(`${name}: not an in-cluster build of modelcar (no ${BUILD_INPUTS_ANNOTATION} annotation)`);
      continue;
    }
    const key = `${run.metadata.namespace}/${model}`;
    const candidates = set.all.filter((i) => i.image.key === key || i.image.key.endsWith(`/${key}`));
    const image = candidates.find((i) => inputsDigest(i.image) === inputs);
    if (!image) {
      problems.push(
        candidates.length
          ? `${name} built ${key} from other inputs than ${options.config} has now (a run of an older config); pin the run of the current one`
          : `${name}: ${options.config} has no model ${key}`,
      );
      continue;
    }
    const succeeded = (run.status?.conditions ?? []).find((c: any) => c.type === 'Succeeded');
    if (succeeded?.status !== 'True') {
      problems.push(`${name} has not succeeded (${succeeded ? `${succeeded.reason ?? succeeded.status}: ${succeeded.message ?? ''}`.trim() : 'no status yet'}); nothing to pin`);
      continue;
    }
    const results: Record<string, unknown> = Object.fromEntries((run.status?.results ?? []).map((r: any) => [r.name, r.value]));
    const digest = String(results[BUILD_RESULTS.digest] ?? '').trim();
    const url = String(results[BUILD_RESULTS.image] ?? '').trim();
    if (!/^sha256:[a-f0-9]{64}$/.test(digest)) {
      problems.push(`${name} reports no image digest (result ${BUILD_RESULTS.digest}: ${JSON.stringify(results[BUILD_RESULTS.digest] ?? null)})`);
      continue;
    }
    if (url !== image.image.image) {
      problems.push(`${name} pushed ${JSON.stringify(url)}, but ${options.config} builds ${image.image.image}`);
      continue;
    }
    const unpinned = image.image.files.find((f) => f.sha256 === undefined);
    if (unpinned) {
      problems.push(`${name}: ${unpinned.target} of ${key} has no sha256 in ${options.config}, so what the image holds is not known; pin it`);
      continue;
    }
    const files: Record<string, string> = {};
    for (const f of image.image.files) setOwn(files, f.target, `sha256:${f.sha256}`);
    pinned.push({ key: image.image.key, entry: { image: image.image.image, digest, inputs, files }, run: run.metadata.name });
  }
  if (problems.length) throw new UserError(`${problems.join('\n')}\nnothing was pinned`);
  if (pinned.length === 0) throw new UserError(`${options.source} holds no TaskRun; give what \`oc get taskrun <name> -n <namespace> -o yaml\` prints`);
  const origin = set.all[0]!.origin;
  // The other entries and the sources (folders, hub repositories) of the lock file are kept.
  recordImages(origin.lockFile, new Map(pinned.map((p) => [p.key, p.entry])), set.all.map((i) => i.image), origin.lockSource, origin.lockUser);
  return {
    pinned: pinned.map((p) => ({ key: p.key, image: p.entry.image, digest: p.entry.digest, run: p.run })),
    lockFile: path.relative(process.cwd(), origin.lockFile) || origin.lockFile,
  };
}

/** The TaskRuns of a text: documents, and the items of `List`s. */
function parseRuns(text: string, source: string): any[] {
  let docs: unknown[];
  try {
    docs = YAML.parseAllDocuments(text).map((d) => {
      if (d.errors.length) throw d.errors[0];
      return d.toJS();
    });
  } catch (e) {
    throw new UserError(`${source}: not YAML or JSON (${(e as Error).message.split('\n')[0]})`);
  }
  const objects = docs.flatMap((d: any) => (d && d.kind === 'List' && Array.isArray(d.items) ? d.items : [d])).filter((d) => d !== null && d !== undefined);
  const other = objects.find((o: any) => o?.kind !== 'TaskRun');
  if (other) throw new UserError(`${source}: holds a ${(other as any)?.kind ?? typeof other}, not a TaskRun`);
  return objects;
}

/** The text a pinned image is reported with: `<key>: <repository>@<digest> (TaskRun <name>)`. */
export function describePinned(p: PinnedImage): string {
  return `${p.key}: ${repositoryOf(parseImageReference(p.image))}@${p.digest} (TaskRun ${p.run})`;
}
