/**
 * Every AWS error code iamd sends, with its HTTP status and fault. Statuses come from the service
 * models' `error` traits (shared/reference/models/latest) and, for the common Query-protocol errors
 * that the models do not list, from shared/reference/aws-errors.md.
 */
export const ERROR_CATALOGUE = {
  // IAM modelled errors (models/latest/iam.json)
  NoSuchEntity: { status: 404 },
  EntityAlreadyExists: { status: 409 },
  EntityTemporarilyUnmodifiable: { status: 409 },
  DeleteConflict: { status: 409 },
  LimitExceeded: { status: 409 },
  MalformedPolicyDocument: { status: 400 },
  InvalidInput: { status: 400 },
  InvalidAuthenticationCode: { status: 403 },
  InvalidUserType: { status: 400 },
  PasswordPolicyViolation: { status: 400 },
  PolicyNotAttachable: { status: 400 },
  PolicyEvaluation: { status: 500, fault: 'Receiver' },
  ServiceFailure: { status: 500, fault: 'Receiver' },
  ConcurrentModification: { status: 409 },
  UnmodifiableEntity: { status: 400 },
  ReportNotPresent: { status: 410 },
  ReportExpired: { status: 410 },
  OrganizationNotFoundException: { status: 400 },
  // STS modelled errors (models/latest/sts.json)
  ExpiredTokenException: { status: 400 },
  IDPCommunicationError: { status: 400 },
  IDPRejectedClaim: { status: 403 },
  InvalidAuthorizationMessageException: { status: 400 },
  InvalidIdentityToken: { status: 400 },
  PackedPolicyTooLarge: { status: 400 },
  RegionDisabledException: { status: 403 },
  // Common Query-protocol errors (aws-errors.md section 0)
  AccessDenied: { status: 403 },
  ValidationError: { status: 400 },
  InvalidParameterValue: { status: 400 },
  InvalidParameterCombination: { status: 400 },
  MissingParameter: { status: 400 },
  MissingAction: { status: 400 },
  InvalidAction: { status: 400 },
  InvalidQueryParameter: { status: 400 },
  MalformedQueryString: { status: 404 },
  NoSuchVersion: { status: 400 },
  InvalidClientTokenId: { status: 403 },
  SignatureDoesNotMatch: { status: 403 },
  IncompleteSignature: { status: 400 },
  MissingAuthenticationToken: { status: 403 },
  ExpiredToken: { status: 403 },
  RequestExpired: { status: 400 },
  InvalidToken: { status: 400 },
  OptInRequired: { status: 403 },
  Throttling: { status: 400 },
  RequestEntityTooLarge: { status: 413 },
  InternalFailure: { status: 500, fault: 'Receiver' },
  ServiceUnavailable: { status: 503, fault: 'Receiver' },
  NotImplemented: { status: 501, fault: 'Receiver' },
} as const satisfies Record<string, { status: number; fault?: 'Receiver' }>;

/** An exact `<Code>` that iamd may put on the wire. */
export type AwsErrorCode = keyof typeof ERROR_CATALOGUE;
