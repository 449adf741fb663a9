/**
 * Typed operations (issue #17): ties an operation's wire name to its input and output types, which
 * scripts/generate-shapes.mjs generates from the service models. A handler written with
 * `iamOperation<'CreateUser'>({...})` gets `CreateUserInput` as its input and must return a
 * `CreateUserOutput`; a wrong name, a member the model does not have or a value of the wrong type
 * fails `tsc`.
 */
import type { Operation } from './operation.js';
import type { IamOperations } from '../protocol/shapes/iam.js';
import type { StsOperations } from '../protocol/shapes/sts.js';

/** The IAM operation named `N`, typed by the model. */
export interface IamOperation<N extends keyof IamOperations> extends Operation<
  IamOperations[N]['input'],
  IamOperations[N]['output']
> {
  readonly service: 'iam';
  readonly name: N;
}

/** The STS operation named `N`, typed by the model. */
export interface StsOperation<N extends keyof StsOperations> extends Operation<
  StsOperations[N]['input'],
  StsOperations[N]['output']
> {
  readonly service: 'sts';
  readonly name: N;
}

/** Declares the IAM operation `N` (identity at run time; the types are the point). */
export function iamOperation<N extends keyof IamOperations>(op: IamOperation<N>): IamOperation<N> {
  return op;
}

/** Declares the STS operation `N` (identity at run time; the types are the point). */
export function stsOperation<N extends keyof StsOperations>(op: StsOperation<N>): StsOperation<N> {
  return op;
}

/** A generated output shape whose members can be set one by one while it is built. */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };
