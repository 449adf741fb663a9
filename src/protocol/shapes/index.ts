/** Input and output types of every IAM and STS operation, generated from models/*.json. */
export type * as iam from './iam.js';
export type * as sts from './sts.js';
export type { IamOperations } from './iam.js';
export type { StsOperations } from './sts.js';
