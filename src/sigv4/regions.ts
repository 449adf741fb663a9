/**
 * Which regions a credential scope may name, per signing service — data, so services added later
 * (a gateway for S3 or DynamoDB) list their own. AWS answers a scope naming any other region with
 * `SignatureDoesNotMatch` "Credential should be scoped to a valid region, not '<region>'. "
 * (cognitect-labs/aws-api#27, STS; JuliaCloud/AWS.jl#565, IAM).
 */

/** The regions of the `aws` partition (AWS General Reference, "AWS service endpoints"). */
export const AWS_PARTITION_REGIONS: readonly string[] = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'af-south-1',
  'ap-east-1',
  'ap-east-2',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-south-1',
  'ap-south-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-6',
  'ap-southeast-7',
  'ca-central-1',
  'ca-west-1',
  'eu-central-1',
  'eu-central-2',
  'eu-north-1',
  'eu-south-1',
  'eu-south-2',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'mx-central-1',
  'sa-east-1',
];

/**
 * Regions a scope may name, by signing service; a service not listed accepts the `aws` partition.
 *
 * - `sts`: every regional STS endpoint of the partition (the global endpoint is us-east-1).
 * - `iam`: AWS itself only takes `us-east-1` at iam.amazonaws.com, but SDKs and the CLI only sign
 *   IAM for us-east-1 because their endpoint rules say so for the global endpoint: pointed at a
 *   custom endpoint (`--endpoint-url`, `AWS_ENDPOINT_URL`, how every client reaches iamd), the AWS
 *   SDK for JavaScript v3 and botocore sign IAM calls with the configured region (measured:
 *   `Credential=…/eu-west-1/iam/aws4_request`). Refusing them would break unmodified clients whose
 *   region is not us-east-1, so iamd accepts any region of the partition for IAM and refuses the
 *   rest (`*`, names with spaces, other partitions, made-up names).
 */
export const SERVICE_REGIONS: Readonly<Record<string, readonly string[]>> = {
  iam: AWS_PARTITION_REGIONS,
  sts: AWS_PARTITION_REGIONS,
};

const lookup = new Map<string, ReadonlySet<string>>();

/** Whether a scope for `service` may name `region` (exact, case-sensitive, as AWS compares). */
export function isValidScopeRegion(service: string, region: string): boolean {
  let set = lookup.get(service);
  if (set === undefined) {
    set = new Set(SERVICE_REGIONS[service] ?? AWS_PARTITION_REGIONS);
    lookup.set(service, set);
  }
  return set.has(region);
}
