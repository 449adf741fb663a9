/**
 * Where AWS words a failed input check differently from the generic "N validation errors detected: …"
 * (issue #21), kept as data: the order AWS lists the failing members in, per operation, and whole
 * messages that replace the generic one. Each entry cites its recording in shared/reference/aws-errors.md.
 */

/**
 * The order AWS lists failing members in, where it is not the model's member order. Members not named
 * keep their model order after the named ones.
 */
const MEMBER_ORDER: Readonly<Record<string, readonly string[]>> = Object.assign(Object.create(null), {
  // aws-errors.md: UpdateAccountPasswordPolicy `validation-errors` (pr-13720, rec. 2026-02-13).
  UpdateAccountPasswordPolicy: ['minimumPasswordLength', 'passwordReusePrevention', 'maxPasswordAge'],
  // aws-errors.md: CreateOpenIDConnectProvider `multiple-validation-errors` (pr-13720, rec. 2026-02-17).
  CreateOpenIDConnectProvider: ['clientIDList', 'thumbprintList', 'url'],
}) as Readonly<Record<string, readonly string[]>>;

/** A violation AWS answers with a message of its own instead of the generic list. */
interface WholeMessage {
  /** The violation as the generic check words it (after `Value at '…' failed to satisfy constraint: `). */
  readonly path: string;
  readonly constraintStartsWith: string;
  readonly message: string;
}

const WHOLE_MESSAGES: Readonly<Record<string, readonly WholeMessage[]>> = Object.assign(Object.create(null), {
  // aws-errors.md: CreateVirtualMFADevice `create-invalid-path-no-leading-slash-error` (pr-13720,
  // rec. 2026-02-17). A path that is too long keeps the generic text (`create-path-too-long-error`).
  CreateVirtualMFADevice: [
    {
      path: 'path',
      constraintStartsWith: 'Member must satisfy regular expression pattern',
      message:
        'The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.',
    },
  ],
}) as Readonly<Record<string, readonly WholeMessage[]>>;

const VIOLATION = /^Value (?:'[\s\S]*' |null )?at '([^']*)' failed to satisfy constraint: ([\s\S]*)$/;

/** The member path a generic violation text names (`Value at 'path' failed …`). */
function pathOf(violation: string): string {
  return VIOLATION.exec(violation)?.[1] ?? '';
}

/**
 * The ValidationError message for `operation`'s violations (each worded `Value at 'path' failed to
 * satisfy constraint: …`, in model order): AWS's own message where it has one, else
 * "N validation error(s) detected: a; b" in the order AWS lists them.
 */
export function validationMessage(operation: string, violations: readonly string[]): string {
  const whole = WHOLE_MESSAGES[operation];
  if (whole !== undefined && violations.length === 1) {
    const m = VIOLATION.exec(violations[0] ?? '');
    const hit = whole.find((w) => m?.[1] === w.path && m[2]?.startsWith(w.constraintStartsWith) === true);
    if (hit !== undefined) return hit.message;
  }
  const order = MEMBER_ORDER[operation];
  const listed =
    order === undefined
      ? violations
      : violations
          .map((v, i) => ({ v, i, rank: order.indexOf(pathOf(v).split('.')[0] ?? '') }))
          .sort(
            (a, b) =>
              (a.rank < 0 ? order.length : a.rank) - (b.rank < 0 ? order.length : b.rank) || a.i - b.i,
          )
          .map((x) => x.v);
  const n = listed.length;
  return `${n} validation error${n === 1 ? '' : 's'} detected: ${listed.join('; ')}`;
}
