import {
  assertName,
  checkName,
  INFERENCE_SERVICE_NAME_MAX_LENGTH,
  isAnnotationKey,
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isInferenceServiceName,
  isQualifiedName,
  isValidLabelValue,
  NameKind,
} from '../../src/core/names';

// The exact problem strings of k8s.io/apimachinery v0.32.3 pkg/util/validation/validation.go.
const LABEL_RE =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character " +
  "(e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const SUBDOMAIN_RE =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character " +
  "(e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const DNS1035_RE =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character " +
  "(e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const QNAME_RE =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character " +
  "(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE_RE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character " +
  "(e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
// KServe v0.15.2 InvalidISVCNameFormatError, after "the InferenceService \"%s\" is invalid: ".
const ISVC_RE =
  "a InferenceService name must consist of lower case alphanumeric characters or '-', and must start with alphabetical character. " +
  `(e.g. "my-name" or "abc-123", regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`;
const ISVC_LEN =
  'must be no more than 53 characters (KServe names the predictor Service "<name>-predictor", which must be a DNS-1035 label of at most 63 characters)';

const a = (n: number): string => 'a'.repeat(n);

describe('isDNS1123Label', () => {
  test.each<[string, string[]]>([
    ['a', []],
    ['my-name', []],
    ['123-abc', []],
    ['0', []],
    [a(63), []],
    [a(64), ['must be no more than 63 characters']],
    ['', [LABEL_RE]],
    ['My-Name', [LABEL_RE]],
    ['-a', [LABEL_RE]],
    ['a-', [LABEL_RE]],
    ['a_b', [LABEL_RE]],
    ['a.b', ['must not contain dots']],
    [`${a(40)}.${a(40)}`, ['must be no more than 63 characters', 'must not contain dots']],
    [`${a(63)}-`, ['must be no more than 63 characters', LABEL_RE]],
    // Lengths are UTF-8 bytes, like Go's len(): 32 x "é" is 64 bytes.
    ['é'.repeat(32), ['must be no more than 63 characters', LABEL_RE]],
  ])('%j', (value, problems) => {
    expect(isDNS1123Label(value)).toEqual(problems);
  });
});

describe('isDNS1123Subdomain', () => {
  const long = [a(63), a(63), a(63), a(61)].join('.'); // 253
  test.each<[string, string[]]>([
    ['example.com', []],
    ['a', []],
    ['1.2.3', []],
    [long, []],
    [`${long}a`, ['must be no more than 253 characters']],
    ['', [SUBDOMAIN_RE]],
    ['Example.com', [SUBDOMAIN_RE]],
    ['a..b', [SUBDOMAIN_RE]],
    ['.a', [SUBDOMAIN_RE]],
    ['a.', [SUBDOMAIN_RE]],
    ['a_b', [SUBDOMAIN_RE]],
    [`${a(254)}_`, ['must be no more than 253 characters', SUBDOMAIN_RE]],
  ])('%j', (value, problems) => {
    expect(isDNS1123Subdomain(value)).toEqual(problems);
  });
});

describe('isDNS1035Label', () => {
  test.each<[string, string[]]>([
    ['my-name', []],
    ['abc-123', []],
    ['a', []],
    [a(63), []],
    [a(64), ['must be no more than 63 characters']],
    ['123-abc', [DNS1035_RE]],
    ['1a', [DNS1035_RE]],
    ['', [DNS1035_RE]],
    ['Abc', [DNS1035_RE]],
    ['a.b', [DNS1035_RE]],
    ['abc-', [DNS1035_RE]],
    [`9${a(63)}`, ['must be no more than 63 characters', DNS1035_RE]],
  ])('%j', (value, problems) => {
    expect(isDNS1035Label(value)).toEqual(problems);
  });
});

describe('isQualifiedName (label keys)', () => {
  test.each<[string, string[]]>([
    ['app', []],
    ['MyName', []],
    ['my.name', []],
    ['123-abc', []],
    ['app.kubernetes.io/name', []],
    ['serving.kserve.io/deploymentMode', []],
    [a(63), []],
    [`example.com/${a(63)}`, []],
    ['', ['name part must be non-empty', `name part ${QNAME_RE}`]],
    [a(64), ['name part must be no more than 63 characters']],
    ['-app', [`name part ${QNAME_RE}`]],
    ['app_', [`name part ${QNAME_RE}`]],
    ['my key', [`name part ${QNAME_RE}`]],
    ['/name', ['prefix part must be non-empty']],
    ['example.com/', ['name part must be non-empty', `name part ${QNAME_RE}`]],
    ['Example.com/name', [`prefix part ${SUBDOMAIN_RE}`]],
    [`${a(254)}/name`, ['prefix part must be no more than 253 characters']],
    [
      'a/b/c',
      [`a qualified name ${QNAME_RE} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`],
    ],
    ['Bad_/-x', [`prefix part ${SUBDOMAIN_RE}`, `name part ${QNAME_RE}`]],
  ])('%j', (value, problems) => {
    expect(isQualifiedName(value)).toEqual(problems);
  });
});

describe('isAnnotationKey', () => {
  test('case does not matter, as in ValidateAnnotations', () => {
    expect(isAnnotationKey('Example.COM/Name')).toEqual([]);
    expect(isQualifiedName('Example.COM/Name')).toEqual([`prefix part ${SUBDOMAIN_RE}`]);
    expect(isAnnotationKey('a/b/c')).toHaveLength(1);
  });
});

describe('isValidLabelValue', () => {
  test.each<[string, string[]]>([
    ['', []],
    ['MyValue', []],
    ['my_value', []],
    ['12345', []],
    ['v1.2-rc_3', []],
    [a(63), []],
    [a(64), ['must be no more than 63 characters']],
    ['-x', [LABEL_VALUE_RE]],
    ['x.', [LABEL_VALUE_RE]],
    ['a/b', [LABEL_VALUE_RE]],
    ['with space', [LABEL_VALUE_RE]],
    [`${a(64)}-`, ['must be no more than 63 characters', LABEL_VALUE_RE]],
  ])('%j', (value, problems) => {
    expect(isValidLabelValue(value)).toEqual(problems);
  });
});

describe('isInferenceServiceName', () => {
  test('the limit leaves room for "-predictor" in a 63-character Service name', () => {
    expect(INFERENCE_SERVICE_NAME_MAX_LENGTH).toBe(53);
  });

  test.each<[string, string[]]>([
    ['mnist', []],
    ['my-model-v2', []],
    ['a', []],
    [a(53), []],
    [a(54), [ISVC_LEN]],
    ['', [ISVC_RE]],
    ['1model', [ISVC_RE]],
    ['My-Model', [ISVC_RE]],
    ['model.v1', [ISVC_RE]],
    ['model_v1', [ISVC_RE]],
    ['model-', [ISVC_RE]],
    [`9${a(60)}`, [ISVC_LEN, ISVC_RE]],
  ])('%j', (value, problems) => {
    expect(isInferenceServiceName(value)).toEqual(problems);
  });
});

describe('checkName', () => {
  test.each<[NameKind, string, number]>([
    ['label', 'a.b', 1],
    ['subdomain', 'a.b', 0],
    ['dns1035', '1a', 1],
    ['inferenceService', 'ok', 0],
    ['labelKey', 'Example.com/x', 1],
    ['annotationKey', 'Example.com/x', 0],
    ['labelValue', '', 0],
  ])('%s %j -> %d problems', (kind, value, count) => {
    expect(checkName(kind, value)).toHaveLength(count);
  });
});

describe('assertName', () => {
  test('passes valid values', () => {
    expect(() => assertName('label', 'Namespace name', 'models')).not.toThrow();
    expect(() => assertName('subdomain', 'Secret name', 'quay.io-pull')).not.toThrow();
    expect(() => assertName('labelValue', 'label app', '')).not.toThrow();
  });

  test.each<[NameKind, string, string, string]>([
    ['label', 'Namespace name', 'My-NS', `Namespace name: "My-NS" is not a valid RFC 1123 label: ${LABEL_RE}`],
    ['label', 'Namespace name', '', `Namespace name: "" is not a valid RFC 1123 label: ${LABEL_RE}`],
    [
      'label',
      'Namespace name',
      `${a(40)}.${a(40)}`,
      `Namespace name: "${a(40)}.${a(40)}" is not a valid RFC 1123 label: must be no more than 63 characters; must not contain dots`,
    ],
    ['subdomain', 'PullSecret name', 'Pull_Secret', `PullSecret name: "Pull_Secret" is not a valid RFC 1123 subdomain: ${SUBDOMAIN_RE}`],
    ['subdomain', 'PullSecret name', a(254), `PullSecret name: "${a(254)}" is not a valid RFC 1123 subdomain: must be no more than 253 characters`],
    ['dns1035', 'Service name', '7up', `Service name: "7up" is not a valid DNS-1035 label: ${DNS1035_RE}`],
    ['inferenceService', 'InferenceService name', '2nd-model', `InferenceService name: "2nd-model" is not a valid InferenceService name: ${ISVC_RE}`],
    [
      'inferenceService',
      'InferenceService name',
      `Z${a(60)}`,
      `InferenceService name: "Z${a(60)}" is not a valid InferenceService name: ${ISVC_LEN}; ${ISVC_RE}`,
    ],
    ['labelKey', 'label key', '', `label key: "" is not a valid label key: name part must be non-empty; name part ${QNAME_RE}`],
    ['annotationKey', 'annotation key', 'a//b', `annotation key: "a//b" is not a valid annotation key: a qualified name ${QNAME_RE} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`],
    ['labelValue', 'label app', 'v1/beta', `label app: "v1/beta" is not a valid label value: ${LABEL_VALUE_RE}`],
    ['label', 'Namespace name', 'a\nb', `Namespace name: "a\\nb" is not a valid RFC 1123 label: ${LABEL_RE}`],
  ])('%s %j', (kind, prop, value, message) => {
    expect(() => assertName(kind, prop, value)).toThrow(new Error(message));
  });

  test('a non-string value is reported as such', () => {
    expect(() => assertName('label', 'Namespace name', undefined as unknown as string)).toThrow(
      new Error('Namespace name: expected a string (RFC 1123 label), got undefined'),
    );
  });
});
