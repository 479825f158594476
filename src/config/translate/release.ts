/** The platform release a config deploys to: `platform` and `release` (or, for plain KServe, the older `kserveVersion`). */
import { Diagnostic } from '../../core/errors';
import { Product, ReleaseProfile, findRelease, productTitle } from '../../core/releases';
import { LoadedConfig } from '../load';

/**
 * The release profile of a config, or undefined with a problem at the field that names it. `kserveVersion` is the older
 * way to name a plain KServe release; with `platform: odh` or `rhoai` the release decides the KServe version.
 */
export function configRelease(loaded: LoadedConfig, problems: Diagnostic[]): ReleaseProfile | undefined {
  const { config, at } = loaded;
  const product: Product = config.platform ?? 'odh';
  let release = config.release;
  let field: (string | number)[] = ['release'];
  if (config.kserveVersion !== undefined) {
    if (product !== 'kserve') {
      problems.push(
        at(['kserveVersion'], `names a plain KServe release, but platform is ${product}: the ${productTitle(product)} release decides the KServe version; remove kserveVersion and set release (e.g. release: "${findDefault(product)}")`),
      );
      return undefined;
    }
    if (release !== undefined && release !== config.kserveVersion) {
      problems.push(at(['kserveVersion'], `"${config.kserveVersion}" disagrees with release "${release}"; remove kserveVersion (release names the KServe release)`));
      return undefined;
    }
    release = config.kserveVersion;
    if (config.release === undefined) field = ['kserveVersion'];
  }
  const found = findRelease(product, release);
  if (typeof found === 'string') {
    problems.push(at(release === undefined ? ['platform'] : field, found));
    return undefined;
  }
  return found;
}

function findDefault(product: Product): string {
  const found = findRelease(product);
  return typeof found === 'string' ? '' : found.release;
}
