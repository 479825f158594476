/**
 * Kubernetes and KServe name validators. Each returns the list of problems (empty when the value is
 * valid), worded exactly as the API server words them, so a message from here matches what
 * `kubectl apply` would print.
 *
 * Mirrored from k8s.io/apimachinery v0.32.3 (the version KServe v0.15.2's go.mod pins),
 * pkg/util/validation/validation.go: IsDNS1123Label, IsDNS1123Subdomain, IsDNS1035Label,
 * IsQualifiedName, IsValidLabelValue, MaxLenError, RegexError, EmptyError. The messages are the same
 * through v0.34; v0.35 moved label keys/values to pkg/api/validate/content (kube.go), which says
 * "a valid label key" instead of "a qualified name" and "bytes" instead of "characters" there.
 * Annotation keys follow pkg/api/validation/objectmeta.go ValidateAnnotations: IsQualifiedName of
 * the lowercased key. Lengths are counted in UTF-8 bytes, like Go's `len`.
 *
 * InferenceService names follow KServe v0.15.2 pkg/apis/serving/v1beta1/inference_service_validation.go
 * (`IsvcNameFmt = "[a-z]([-a-z0-9]*[a-z0-9])?"`, validateInferenceServiceName) with the message
 * `InvalidISVCNameFormatError` from pkg/apis/serving/v1beta1/component.go.
 */

const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_LABEL_ERR_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1123_SUBDOMAIN_ERR_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const DNS1035_LABEL_FMT = '[a-z]([-a-z0-9]*[a-z0-9])?';
const DNS1035_LABEL_ERR_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";
const QUALIFIED_NAME_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const QUALIFIED_NAME_ERR_MSG =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_FMT = `(${QUALIFIED_NAME_FMT})?`;
const LABEL_VALUE_ERR_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const ISVC_NAME_FMT = '[a-z]([-a-z0-9]*[a-z0-9])?';

/** Longest RFC 1123 label (DNS1123LabelMaxLength). */
export const DNS1123_LABEL_MAX_LENGTH = 63;
/** Longest RFC 1123 subdomain (DNS1123SubdomainMaxLength). */
export const DNS1123_SUBDOMAIN_MAX_LENGTH = 253;
/** Longest DNS-1035 label (DNS1035LabelMaxLength). */
export const DNS1035_LABEL_MAX_LENGTH = 63;
/** Longest name part of a label or annotation key (qualifiedNameMaxLength). */
export const QUALIFIED_NAME_MAX_LENGTH = 63;
/** Longest label value (LabelValueMaxLength). */
export const LABEL_VALUE_MAX_LENGTH = 63;
/**
 * Longest InferenceService name this toolkit accepts. KServe's webhook sets no length limit, but it
 * names the predictor's Service (RawDeployment) or Knative Service (Serverless) `<name>-predictor`
 * (pkg/constants/constants.go PredictorServiceName), and a Service name is a DNS-1035 label of at
 * most 63 characters: 63 - "-predictor".length = 53.
 */
export const INFERENCE_SERVICE_NAME_MAX_LENGTH = DNS1035_LABEL_MAX_LENGTH - '-predictor'.length;

const dns1123LabelRe = new RegExp(`^${DNS1123_LABEL_FMT}$`);
const dns1123SubdomainRe = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`);
const dns1035LabelRe = new RegExp(`^${DNS1035_LABEL_FMT}$`);
const qualifiedNameRe = new RegExp(`^${QUALIFIED_NAME_FMT}$`);
const labelValueRe = new RegExp(`^${LABEL_VALUE_FMT}$`);
const isvcNameRe = new RegExp(`^${ISVC_NAME_FMT}$`);
const ASCII_RE = /^[\x00-\x7f]*$/;

/** Go's `len(s)`: the UTF-8 byte length (equal to `s.length` for ASCII, the common case). */
function byteLength(s: string): number {
  return ASCII_RE.test(s) ? s.length : Buffer.byteLength(s, 'utf8');
}

/** apimachinery MaxLenError. */
function maxLenError(length: number): string {
  return `must be no more than ${length} characters`;
}

/** apimachinery RegexError. */
function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(' or ')}regex used for validation is '${fmt}')`;
}

/** apimachinery EmptyError. */
const EMPTY_ERROR = 'must be non-empty';

/**
 * IsDNS1123Label: a lowercase RFC 1123 label (at most 63 characters of `[a-z0-9-]`, starting and
 * ending alphanumeric), as required for namespace names and most `metadata.name`s of DNS-exposed objects.
 */
export function isDNS1123Label(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > DNS1123_LABEL_MAX_LENGTH) errs.push(maxLenError(DNS1123_LABEL_MAX_LENGTH));
  if (!dns1123LabelRe.test(value)) {
    if (dns1123SubdomainRe.test(value)) {
      // A valid subdomain but not a valid label: since the length was already checked, it must be dots.
      errs.push('must not contain dots');
    } else {
      errs.push(regexError(DNS1123_LABEL_ERR_MSG, DNS1123_LABEL_FMT, 'my-name', '123-abc'));
    }
  }
  return errs;
}

/**
 * IsDNS1123Subdomain: a lowercase RFC 1123 subdomain (at most 253 characters; dot-separated labels),
 * as required for the `metadata.name` of Secrets, ServingRuntimes and most other objects.
 */
export function isDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > DNS1123_SUBDOMAIN_MAX_LENGTH) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
  if (!dns1123SubdomainRe.test(value)) errs.push(regexError(DNS1123_SUBDOMAIN_ERR_MSG, DNS1123_SUBDOMAIN_FMT, 'example.com'));
  return errs;
}

/**
 * IsDNS1035Label: an RFC 1035 label (at most 63 characters of `[a-z0-9-]`, starting with a letter and
 * ending alphanumeric), as required for Service names.
 */
export function isDNS1035Label(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > DNS1035_LABEL_MAX_LENGTH) errs.push(maxLenError(DNS1035_LABEL_MAX_LENGTH));
  if (!dns1035LabelRe.test(value)) errs.push(regexError(DNS1035_LABEL_ERR_MSG, DNS1035_LABEL_FMT, 'my-name', 'abc-123'));
  return errs;
}

/**
 * IsQualifiedName: a label key, `[prefix/]name`, where the optional prefix is an RFC 1123 subdomain
 * and the name is at most 63 characters of `[A-Za-z0-9_.-]`, starting and ending alphanumeric.
 */
export function isQualifiedName(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0]!;
  } else if (parts.length === 2) {
    const prefix = parts[0]!;
    name = parts[1]!;
    if (prefix.length === 0) errs.push(`prefix part ${EMPTY_ERROR}`);
    else for (const msg of isDNS1123Subdomain(prefix)) errs.push(`prefix part ${msg}`);
  } else {
    errs.push(
      `a qualified name ${regexError(QUALIFIED_NAME_ERR_MSG, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')}` +
        " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    );
    return errs;
  }
  if (name.length === 0) errs.push(`name part ${EMPTY_ERROR}`);
  else if (byteLength(name) > QUALIFIED_NAME_MAX_LENGTH) errs.push(`name part ${maxLenError(QUALIFIED_NAME_MAX_LENGTH)}`);
  if (!qualifiedNameRe.test(name)) {
    errs.push(`name part ${regexError(QUALIFIED_NAME_ERR_MSG, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')}`);
  }
  return errs;
}

/**
 * An annotation key: like {@link isQualifiedName}, but case does not matter, so the prefix may
 * contain uppercase (ValidateAnnotations checks `IsQualifiedName(strings.ToLower(key))`).
 */
export function isAnnotationKey(value: string): string[] {
  return isQualifiedName(value.toLowerCase());
}

/**
 * IsValidLabelValue: empty, or at most 63 characters of `[A-Za-z0-9_.-]` starting and ending alphanumeric.
 */
export function isValidLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > LABEL_VALUE_MAX_LENGTH) errs.push(maxLenError(LABEL_VALUE_MAX_LENGTH));
  if (!labelValueRe.test(value)) errs.push(regexError(LABEL_VALUE_ERR_MSG, LABEL_VALUE_FMT, 'MyValue', 'my_value', '12345'));
  return errs;
}

/**
 * KServe's webhook rule for InferenceService names (`validateInferenceServiceName`: the pattern `IsvcNameFmt`,
 * worded as KServe words it), without a length limit: KServe sets none.
 */
export function isInferenceServiceNameFormat(value: string): string[] {
  if (isvcNameRe.test(value)) return [];
  return [
    "a InferenceService name must consist of lower case alphanumeric characters or '-', and must start with alphabetical character. " +
      `(e.g. "my-name" or "abc-123", regex used for validation is '${ISVC_NAME_FMT}')`,
  ];
}

/**
 * An InferenceService name as this toolkit writes one: KServe's webhook rule ({@link isInferenceServiceNameFormat}),
 * plus the length limit {@link INFERENCE_SERVICE_NAME_MAX_LENGTH}, which KServe itself does not check but which the
 * generated `<name>-predictor` Service needs.
 */
export function isInferenceServiceName(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > INFERENCE_SERVICE_NAME_MAX_LENGTH) {
    errs.push(
      `${maxLenError(INFERENCE_SERVICE_NAME_MAX_LENGTH)} (KServe names the predictor Service "<name>-predictor", ` +
        `which must be a DNS-1035 label of at most ${DNS1035_LABEL_MAX_LENGTH} characters)`,
    );
  }
  errs.push(...isInferenceServiceNameFormat(value));
  return errs;
}

/** The kinds of name {@link assertName} and {@link checkName} check. */
export type NameKind = 'label' | 'subdomain' | 'dns1035' | 'inferenceService' | 'labelKey' | 'annotationKey' | 'labelValue';

const VALIDATORS: Readonly<Record<NameKind, { readonly what: string; readonly check: (value: string) => string[] }>> = {
  label: { what: 'RFC 1123 label', check: isDNS1123Label },
  subdomain: { what: 'RFC 1123 subdomain', check: isDNS1123Subdomain },
  dns1035: { what: 'DNS-1035 label', check: isDNS1035Label },
  inferenceService: { what: 'InferenceService name', check: isInferenceServiceName },
  labelKey: { what: 'label key', check: isQualifiedName },
  annotationKey: { what: 'annotation key', check: isAnnotationKey },
  labelValue: { what: 'label value', check: isValidLabelValue },
};

/** Runs the validator for `kind` and returns its problems (empty when `value` is valid). */
export function checkName(kind: NameKind, value: string): string[] {
  return VALIDATORS[kind].check(value);
}

/**
 * Why `value` is not a valid name of the given kind, or undefined when it is: `"<value>" is not a valid <what>:
 * <problems joined by '; '>`, e.g. `"My-NS" is not a valid namespace name: a lowercase RFC 1123 label must ...`.
 *
 * @param what what the value names, for the message (e.g. `namespace name`). @default - the rule's name, e.g.
 *   `RFC 1123 label`
 */
export function nameProblem(kind: NameKind, value: unknown, what: string = VALIDATORS[kind].what): string | undefined {
  if (typeof value !== 'string') return `expected a string (${what}), got ${value === null ? 'null' : typeof value}`;
  const problems = VALIDATORS[kind].check(value);
  return problems.length > 0 ? `${JSON.stringify(value)} is not a valid ${what}: ${problems.join('; ')}` : undefined;
}

/**
 * Throws unless `value` is a valid name of the given kind. The message reads
 * `<prop>: "<value>" is not a valid <what>: <problems joined by '; '>`, e.g.
 * `Namespace name: "My-NS" is not a valid RFC 1123 label: a lowercase RFC 1123 label must ...`.
 *
 * @param kind which rule applies: `label` (RFC 1123 label), `subdomain` (RFC 1123 subdomain),
 *   `dns1035` (DNS-1035 label), `inferenceService`, `labelKey`, `annotationKey` or `labelValue`.
 * @param prop what the value is, for the message (e.g. `InferenceService name`).
 * @throws Error listing every problem.
 */
export function assertName(kind: NameKind, prop: string, value: string): void {
  const problem = nameProblem(kind, value);
  if (problem) throw new Error(`${prop}: ${problem}`);
}

/** One problem in an object's labels or annotations: where (from the object's root) and what. */
export interface MetadataProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
  /** True when the problem is with the key at `path` rather than its value. */
  readonly atKey?: boolean;
}

/** Total size of annotations, in bytes (TotalAnnotationSizeLimitB of apimachinery ValidateAnnotations). */
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

/** Checks label keys and values (apimachinery ValidateLabels); `at` is where the labels are. */
export function labelProblems(labels: unknown, at: readonly (string | number)[]): MetadataProblem[] {
  if (labels === null || typeof labels !== 'object' || Array.isArray(labels)) return [];
  const out: MetadataProblem[] = [];
  for (const [k, v] of Object.entries(labels as Record<string, unknown>)) {
    for (const m of isQualifiedName(k)) out.push({ path: [...at, k], atKey: true, message: `label key "${k}" is not valid: ${m}` });
    if (typeof v === 'string') for (const m of isValidLabelValue(v)) out.push({ path: [...at, k], message: `label value "${v}" is not valid: ${m}` });
  }
  return out;
}

/** Checks annotation keys and their total size (apimachinery ValidateAnnotations); `at` is where the annotations are. */
export function annotationProblems(annotations: unknown, at: readonly (string | number)[]): MetadataProblem[] {
  if (annotations === null || typeof annotations !== 'object' || Array.isArray(annotations)) return [];
  const out: MetadataProblem[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(annotations as Record<string, unknown>)) {
    for (const m of isAnnotationKey(k)) out.push({ path: [...at, k], atKey: true, message: `annotation key "${k}" is not valid: ${m}` });
    size += Buffer.byteLength(k) + (typeof v === 'string' ? Buffer.byteLength(v) : 0);
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) {
    out.push({ path: at, message: `Too long: must have at most ${TOTAL_ANNOTATION_SIZE_LIMIT} bytes (these annotations have ${size})` });
  }
  return out;
}
