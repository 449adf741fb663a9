/**
 * Compiled service model: the botocore JSON (models/iam.json, models/sts.json) turned into linked
 * shape objects once at start-up, so decoding and rendering never look names up by string.
 */

/** A string shape with its constraints (botocore `min`/`max`/`pattern`/`enum`). */
export interface StringShape {
  readonly type: 'string';
  readonly name: string;
  readonly min?: number;
  readonly max?: number;
  /** Source text of the pattern, as AWS prints it in validation messages. */
  readonly pattern?: string;
  /** Full-match regular expression compiled from {@link pattern}; absent if it cannot be compiled. */
  readonly regex?: RegExp;
  readonly enum?: ReadonlySet<string>;
  readonly sensitive: boolean;
}

/** Integer or long shape with its range. */
export interface NumberShape {
  readonly type: 'integer' | 'long';
  readonly name: string;
  readonly min?: number;
  readonly max?: number;
}

/** Boolean, timestamp or blob shape. */
export interface SimpleShape {
  readonly type: 'boolean' | 'timestamp' | 'blob';
  readonly name: string;
}

/** List shape (`X.member.N` on the wire, `<member>` in XML). */
export interface ListShape {
  readonly type: 'list';
  readonly name: string;
  member: Shape;
  readonly min?: number;
  readonly max?: number;
}

/** Map shape (`X.entry.N.key`/`.value` on the wire, `<entry><key/><value/></entry>` in XML). */
export interface MapShape {
  readonly type: 'map';
  readonly name: string;
  key: Shape;
  value: Shape;
  readonly min?: number;
  readonly max?: number;
}

/** One member of a structure. */
export interface Member {
  /** Wire name (`UserName`). */
  readonly name: string;
  /** Name as AWS prints it in validation messages: first letter lower-cased (`userName`). */
  readonly path: string;
  readonly required: boolean;
  shape: Shape;
}

/** Structure shape; `members` keep the model's order, which is the XML element order. */
export interface StructureShape {
  readonly type: 'structure';
  readonly name: string;
  readonly members: Member[];
}

/** Any compiled shape. */
export type Shape = StringShape | NumberShape | SimpleShape | ListShape | MapShape | StructureShape;

/** One operation. */
export interface Operation {
  readonly name: string;
  readonly input?: StructureShape;
  readonly output?: StructureShape;
  /** `<OpResult>` element name (botocore `resultWrapper`), default `${name}Result`. */
  readonly resultWrapper: string;
  /** Error codes the model lists for the operation. */
  readonly errors: readonly string[];
}

/** A modelled error (from a shape with an `error` trait). */
export interface ModelledError {
  readonly code: string;
  readonly status: number;
  readonly fault: 'Sender' | 'Receiver';
}

/** A compiled Query-protocol service model. */
export interface ServiceModel {
  /** XML namespace of responses and errors (`https://iam.amazonaws.com/doc/2010-05-08/`). */
  readonly namespace: string;
  /** JSON 1.1 services: the `X-Amz-Target` prefix (`AWSOrganizationsV20161128`); absent for Query services. */
  readonly targetPrefix?: string;
  /** The only `Version` the service accepts. */
  readonly apiVersion: string;
  /** botocore `serviceId` (`IAM`, `STS`). */
  readonly serviceId: string;
  /** Signing name / endpoint prefix (`iam`, `sts`). */
  readonly signingName: string;
  /** Operations by wire name. */
  readonly operations: ReadonlyMap<string, Operation>;
  /** Shapes by model name. */
  readonly shapes: ReadonlyMap<string, Shape>;
  /** Modelled errors by wire code. */
  readonly errors: ReadonlyMap<string, ModelledError>;
  /**
   * Whether validation messages echo the offending value (`Value 'x' at 'roleSessionName'`) or not
   * (`Value at 'path'`). Recorded AWS errors: STS echoes, IAM does not (aws-errors.md, ValidationError rows).
   */
  readonly echoValues: boolean;
}
