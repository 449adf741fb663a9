/**
 * S3 operation → IAM action(s), as AWS's Service Authorization Reference ("Actions, resources, and
 * condition keys for Amazon S3", https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html)
 * and the S3 User Guide's "Required permissions for Amazon S3 API operations"
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html) define
 * them. Data only; classify.ts applies it. actions.test.ts checks every name against iam-data.
 */

/** How one operation is authorized. */
export interface S3ActionSpec {
  /** The actions asked for (each against the request's resource). */
  readonly actions: readonly string[];
  /** The actions instead when the request names a `versionId` (GetObject → s3:GetObjectVersion). */
  readonly versioned?: readonly string[] | undefined;
  /** The action has no resource type: authorized on `*` (ListAllMyBuckets). */
  readonly wildcard?: boolean | undefined;
  /** The operation also reads a copy source (`x-amz-copy-source`): s3:GetObject on it. */
  readonly copySource?: boolean | undefined;
}

const a = (actions: string[], versioned?: string[]): S3ActionSpec => ({ actions, versioned });

/** Every operation of models/s3.json → its action spec. */
export const S3_ACTIONS: Readonly<Record<string, S3ActionSpec>> = {
  AbortMultipartUpload: a(['s3:AbortMultipartUpload']),
  // Multipart: creating, uploading parts and completing are all s3:PutObject (S3 User Guide, multipart
  // upload API and permissions).
  CompleteMultipartUpload: a(['s3:PutObject']),
  CopyObject: { actions: ['s3:PutObject'], copySource: true },
  CreateBucket: a(['s3:CreateBucket']),
  CreateBucketMetadataConfiguration: a(['s3:CreateBucketMetadataTableConfiguration']),
  CreateBucketMetadataTableConfiguration: a(['s3:CreateBucketMetadataTableConfiguration']),
  CreateMultipartUpload: a(['s3:PutObject']),
  // Directory buckets only (S3 Express One Zone): session-based authorization.
  CreateSession: { actions: ['s3express:CreateSession'], wildcard: true },
  DeleteBucket: a(['s3:DeleteBucket']),
  DeleteBucketAnalyticsConfiguration: a(['s3:PutAnalyticsConfiguration']),
  DeleteBucketCors: a(['s3:PutBucketCORS']),
  DeleteBucketEncryption: a(['s3:PutEncryptionConfiguration']),
  DeleteBucketIntelligentTieringConfiguration: a(['s3:PutIntelligentTieringConfiguration']),
  DeleteBucketInventoryConfiguration: a(['s3:PutInventoryConfiguration']),
  DeleteBucketLifecycle: a(['s3:PutLifecycleConfiguration']),
  DeleteBucketMetadataConfiguration: a(['s3:DeleteBucketMetadataTableConfiguration']),
  DeleteBucketMetadataTableConfiguration: a(['s3:DeleteBucketMetadataTableConfiguration']),
  DeleteBucketMetricsConfiguration: a(['s3:PutMetricsConfiguration']),
  DeleteBucketOwnershipControls: a(['s3:PutBucketOwnershipControls']),
  DeleteBucketPolicy: a(['s3:DeleteBucketPolicy']),
  DeleteBucketReplication: a(['s3:PutReplicationConfiguration']),
  DeleteBucketTagging: a(['s3:PutBucketTagging']),
  DeleteBucketWebsite: a(['s3:DeleteBucketWebsite']),
  DeleteObject: a(['s3:DeleteObject'], ['s3:DeleteObjectVersion']),
  DeleteObjectTagging: a(['s3:DeleteObjectTagging'], ['s3:DeleteObjectVersionTagging']),
  DeleteObjects: a(['s3:DeleteObject']),
  DeletePublicAccessBlock: a(['s3:PutBucketPublicAccessBlock']),
  GetBucketAbac: a(['s3:GetBucketAbac']),
  GetBucketAccelerateConfiguration: a(['s3:GetAccelerateConfiguration']),
  GetBucketAcl: a(['s3:GetBucketAcl']),
  GetBucketAnalyticsConfiguration: a(['s3:GetAnalyticsConfiguration']),
  GetBucketCors: a(['s3:GetBucketCORS']),
  GetBucketEncryption: a(['s3:GetEncryptionConfiguration']),
  GetBucketIntelligentTieringConfiguration: a(['s3:GetIntelligentTieringConfiguration']),
  GetBucketInventoryConfiguration: a(['s3:GetInventoryConfiguration']),
  GetBucketLifecycle: a(['s3:GetLifecycleConfiguration']),
  GetBucketLifecycleConfiguration: a(['s3:GetLifecycleConfiguration']),
  GetBucketLocation: a(['s3:GetBucketLocation']),
  GetBucketLogging: a(['s3:GetBucketLogging']),
  GetBucketMetadataConfiguration: a(['s3:GetBucketMetadataTableConfiguration']),
  GetBucketMetadataTableConfiguration: a(['s3:GetBucketMetadataTableConfiguration']),
  GetBucketMetricsConfiguration: a(['s3:GetMetricsConfiguration']),
  GetBucketNotification: a(['s3:GetBucketNotification']),
  GetBucketNotificationConfiguration: a(['s3:GetBucketNotification']),
  GetBucketOwnershipControls: a(['s3:GetBucketOwnershipControls']),
  GetBucketPolicy: a(['s3:GetBucketPolicy']),
  GetBucketPolicyStatus: a(['s3:GetBucketPolicyStatus']),
  GetBucketReplication: a(['s3:GetReplicationConfiguration']),
  GetBucketRequestPayment: a(['s3:GetBucketRequestPayment']),
  GetBucketTagging: a(['s3:GetBucketTagging']),
  GetBucketVersioning: a(['s3:GetBucketVersioning']),
  GetBucketWebsite: a(['s3:GetBucketWebsite']),
  GetObject: a(['s3:GetObject'], ['s3:GetObjectVersion']),
  GetObjectAcl: a(['s3:GetObjectAcl'], ['s3:GetObjectVersionAcl']),
  // "To use GetObjectAttributes, you must have READ access to the object … s3:GetObjectAttributes and
  // s3:GetObject" (S3 API reference, GetObjectAttributes, Permissions).
  GetObjectAttributes: a(
    ['s3:GetObject', 's3:GetObjectAttributes'],
    ['s3:GetObjectVersion', 's3:GetObjectVersionAttributes'],
  ),
  GetObjectLegalHold: a(['s3:GetObjectLegalHold']),
  GetObjectLockConfiguration: a(['s3:GetBucketObjectLockConfiguration']),
  GetObjectRetention: a(['s3:GetObjectRetention']),
  GetObjectTagging: a(['s3:GetObjectTagging'], ['s3:GetObjectVersionTagging']),
  GetObjectTorrent: a(['s3:GetObjectTorrent'], ['s3:GetObjectVersionTorrent']),
  GetPublicAccessBlock: a(['s3:GetBucketPublicAccessBlock']),
  // "To use HeadBucket, you must have s3:ListBucket" (S3 API reference, HeadBucket, Permissions).
  HeadBucket: a(['s3:ListBucket']),
  // HeadObject: "you must have READ access to the object" — s3:GetObject (S3 API reference, HeadObject).
  HeadObject: a(['s3:GetObject'], ['s3:GetObjectVersion']),
  ListBucketAnalyticsConfigurations: a(['s3:GetAnalyticsConfiguration']),
  ListBucketIntelligentTieringConfigurations: a(['s3:GetIntelligentTieringConfiguration']),
  ListBucketInventoryConfigurations: a(['s3:GetInventoryConfiguration']),
  ListBucketMetricsConfigurations: a(['s3:GetMetricsConfiguration']),
  ListBuckets: { actions: ['s3:ListAllMyBuckets'], wildcard: true },
  ListDirectoryBuckets: { actions: ['s3express:ListAllMyDirectoryBuckets'], wildcard: true },
  ListMultipartUploads: a(['s3:ListBucketMultipartUploads']),
  ListObjectVersions: a(['s3:ListBucketVersions']),
  ListObjects: a(['s3:ListBucket']),
  ListObjectsV2: a(['s3:ListBucket']),
  ListParts: a(['s3:ListMultipartUploadParts']),
  PutBucketAbac: a(['s3:PutBucketAbac']),
  PutBucketAccelerateConfiguration: a(['s3:PutAccelerateConfiguration']),
  PutBucketAcl: a(['s3:PutBucketAcl']),
  PutBucketAnalyticsConfiguration: a(['s3:PutAnalyticsConfiguration']),
  PutBucketCors: a(['s3:PutBucketCORS']),
  PutBucketEncryption: a(['s3:PutEncryptionConfiguration']),
  PutBucketIntelligentTieringConfiguration: a(['s3:PutIntelligentTieringConfiguration']),
  PutBucketInventoryConfiguration: a(['s3:PutInventoryConfiguration']),
  PutBucketLifecycle: a(['s3:PutLifecycleConfiguration']),
  PutBucketLifecycleConfiguration: a(['s3:PutLifecycleConfiguration']),
  PutBucketLogging: a(['s3:PutBucketLogging']),
  PutBucketMetricsConfiguration: a(['s3:PutMetricsConfiguration']),
  PutBucketNotification: a(['s3:PutBucketNotification']),
  PutBucketNotificationConfiguration: a(['s3:PutBucketNotification']),
  PutBucketOwnershipControls: a(['s3:PutBucketOwnershipControls']),
  PutBucketPolicy: a(['s3:PutBucketPolicy']),
  PutBucketReplication: a(['s3:PutReplicationConfiguration']),
  PutBucketRequestPayment: a(['s3:PutBucketRequestPayment']),
  PutBucketTagging: a(['s3:PutBucketTagging']),
  PutBucketVersioning: a(['s3:PutBucketVersioning']),
  PutBucketWebsite: a(['s3:PutBucketWebsite']),
  PutObject: a(['s3:PutObject']),
  PutObjectAcl: a(['s3:PutObjectAcl'], ['s3:PutObjectVersionAcl']),
  PutObjectLegalHold: a(['s3:PutObjectLegalHold']),
  PutObjectLockConfiguration: a(['s3:PutBucketObjectLockConfiguration']),
  PutObjectRetention: a(['s3:PutObjectRetention']),
  PutObjectTagging: a(['s3:PutObjectTagging'], ['s3:PutObjectVersionTagging']),
  PutPublicAccessBlock: a(['s3:PutBucketPublicAccessBlock']),
  // Directory buckets only; the Service Authorization Reference lists no s3 action for it: session-based
  // authorization through CreateSession (S3 API reference, RenameObject, Permissions).
  RenameObject: { actions: ['s3express:CreateSession'], wildcard: true },
  RestoreObject: a(['s3:RestoreObject']),
  // "You must have the s3:GetObject permission for this operation" (S3 API reference, SelectObjectContent).
  SelectObjectContent: a(['s3:GetObject']),
  UpdateBucketMetadataInventoryTableConfiguration: a(['s3:UpdateBucketMetadataInventoryTableConfiguration']),
  UpdateBucketMetadataJournalTableConfiguration: a(['s3:UpdateBucketMetadataJournalTableConfiguration']),
  UpdateObjectEncryption: a(['s3:UpdateObjectEncryption']),
  UploadPart: a(['s3:PutObject']),
  UploadPartCopy: { actions: ['s3:PutObject'], copySource: true },
  WriteGetObjectResponse: { actions: ['s3-object-lambda:WriteGetObjectResponse'], wildcard: true },
};
