/**
 * What the Organizations contract tests (organizations-*.test.ts) share: an SDK client for a server,
 * the error assertion (name, status 400, message, `Reason`), and an organization built the way a user
 * builds one — SCPs enabled on the root, a `dev` OU, a member account made by CreateAccount in it, and
 * the member's administrator reached through OrganizationAccountAccessRole.
 */
import assert from 'node:assert/strict';
import {
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  EnablePolicyTypeCommand,
  ListRootsCommand,
  MoveAccountCommand,
  OrganizationsClient,
  type CreateAccountCommandOutput,
  type CreateOrganizationCommandOutput,
  type EnablePolicyTypeCommandOutput,
} from '@aws-sdk/client-organizations';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { ROOT, startIamd, UNTHROTTLED, type Creds, type TestServer } from './harness.js';
import { createUser, sessionCreds, type TestUser } from './accounts-helper.js';

/** An Organizations client on `server` signed with `creds`. */
export function orgsClient(server: TestServer, creds: Creds): OrganizationsClient {
  return new OrganizationsClient({
    endpoint: server.url,
    region: 'us-east-1',
    credentials: creds,
    maxAttempts: 1,
  });
}

/** Asserts an Organizations error: SDK name (the wire `__type`), status 400, message, and `Reason` when given. */
export async function expectOrgError(
  p: Promise<unknown>,
  name: string,
  message: string,
  reason?: string,
): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    const err = e as {
      name?: string;
      message?: string;
      Reason?: string;
      $metadata?: { httpStatusCode?: number };
    };
    assert.equal(err.name, name, `error name (message: ${err.message})`);
    assert.equal(err.message, message);
    assert.equal(err.$metadata?.httpStatusCode, 400);
    if (reason !== undefined) assert.equal(err.Reason, reason);
    return true;
  });
}

/** An organization built by {@link buildOrganization}. */
export interface BuiltOrg {
  readonly orgId: string;
  readonly rootId: string;
  readonly devOu: string;
  readonly member: string;
  /** A session of the member's OrganizationAccountAccessRole, assumed by the management administrator. */
  readonly memberAdmin: Creds;
  /** What the building calls answered, for the test of building itself (organizations.test.ts). */
  readonly answers: {
    readonly createOrganization: CreateOrganizationCommandOutput;
    /** Enabling SCPs on the root. */
    readonly enablePolicyType: EnablePolicyTypeCommandOutput;
    readonly createAccount: CreateAccountCommandOutput;
  };
}

/** Creates an organization as `admin` (a management-account administrator) with a member in a `dev` OU. */
export async function buildOrganization(server: TestServer, admin: Creds): Promise<BuiltOrg> {
  const o = orgsClient(server, admin);
  const org = await o.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
  const rootId = (await o.send(new ListRootsCommand({}))).Roots?.[0]?.Id ?? '';
  const enabled = await o.send(
    new EnablePolicyTypeCommand({ RootId: rootId, PolicyType: 'SERVICE_CONTROL_POLICY' }),
  );
  const ou = await o.send(new CreateOrganizationalUnitCommand({ ParentId: rootId, Name: 'dev' }));
  const devOu = ou.OrganizationalUnit?.Id ?? '';
  const car = await o.send(new CreateAccountCommand({ Email: 'dev@example.com', AccountName: 'dev' }));
  const member = car.CreateAccountStatus?.AccountId ?? '';
  assert.match(member, /^\d{12}$/);
  await o.send(
    new MoveAccountCommand({ AccountId: member, SourceParentId: rootId, DestinationParentId: devOu }),
  );
  const r = await server.sts(admin).send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${member}:role/OrganizationAccountAccessRole`,
      RoleSessionName: 'admin',
    }),
  );
  return {
    orgId: org.Organization?.Id ?? '',
    rootId,
    devOu,
    member,
    memberAdmin: sessionCreds(r.Credentials),
    answers: { createOrganization: org, enablePolicyType: enabled, createAccount: car },
  };
}

/** A started iamd with an administrator (`Allow *`) in the first account. */
export interface AdminFixture {
  readonly server: TestServer;
  readonly admin: TestUser;
}

/** A started iamd with an administrator (`Allow *`) in the first account and its organization. */
export interface OrgFixture extends AdminFixture {
  readonly org: BuiltOrg;
}

/**
 * Starts iamd (unthrottled) and makes the first account's administrator, not yet in an organization
 * (the first half of {@link startOrganization}).
 */
export async function startWithAdmin(): Promise<AdminFixture> {
  const server = await startIamd(UNTHROTTLED);
  const admin = await createUser(server.iam(ROOT), 'admin', {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
  });
  return { server, admin };
}

/**
 * Starts iamd (unthrottled), makes the first account's administrator and builds the organization of
 * {@link buildOrganization} with it: the set-up every Organizations contract test shares.
 */
export async function startOrganization(): Promise<OrgFixture> {
  const { server, admin } = await startWithAdmin();
  return { server, admin, org: await buildOrganization(server, admin.creds) };
}
