/**
 * The AWS Organizations API (JSON 1.1: `POST /` with `X-Amz-Target: AWSOrganizationsV20161128.<Op>`,
 * SigV4 with service `organizations`) as an entry point of the one request pipeline: decode the body
 * against the Organizations model (violations are `InvalidInputException` with its `Reason`, Organizations
 * API reference, InvalidInputException) → authenticate → execute the handler (src/organizations/, which
 * authorizes through the pipeline) → record → render JSON 1.1 (`{"__type", "Message", …}` with the
 * error's extra members such as `Reason`).
 */
import type { Operation } from '../api/operation.js';
import { AwsError } from '../errors/index.js';
import { decodeJsonInput, renderJsonError, renderJsonResult, type ServiceModel } from '../protocol/index.js';
import { SigningKeyCache } from '../sigv4/index.js';
import { authenticator } from '../authn/authenticate.js';
import { OrgError } from '../organizations/common.js';
import {
  AMZ_JSON_11,
  authenticateSignedCall,
  executeCall,
  headerValue,
  json11Type,
  runCall,
  type Answer,
  type AuthenticateOptions,
  type EntryPoint,
  type IncomingCall,
  type Pipeline,
} from './pipeline/index.js';

/** The `X-Amz-Target` prefix of Organizations calls. */
export const ORGANIZATIONS_TARGET_PREFIX = 'AWSOrganizationsV20161128.';

/** What the Organizations API serves. */
export interface OrganizationsApi {
  readonly model: ServiceModel;
  readonly operations: ReadonlyMap<string, Operation>;
}

/** Builds the Organizations entry point over the shared pipeline. */
export function makeOrganizationsHandler(
  p: Pipeline,
  api: OrganizationsApi,
): (incoming: IncomingCall) => Promise<Answer> {
  const entry = organizationsEntryPoint(p, api);
  return (incoming) => runCall(p, entry, incoming);
}

/** Organizations as an {@link EntryPoint}: JSON 1.1 decoder and renderer, the Organizations operations. */
export function organizationsEntryPoint(p: Pipeline, api: OrganizationsApi): EntryPoint<Operation> {
  const authn: AuthenticateOptions = {
    auth: authenticator(p.deps.resolver, ['organizations'], new SigningKeyCache(256)),
    recordKeyUse: true,
  };
  return {
    service: 'organizations',
    async decode(call) {
      const target = headerValue(call.incoming.headers['x-amz-target']) ?? '';
      const name = target.slice(target.lastIndexOf('.') + 1);
      call.operation = name;
      await authenticateSignedCall(p, call, authn);
      if (!target.startsWith(ORGANIZATIONS_TARGET_PREFIX) || !api.model.operations.has(name))
        throw new AwsError('InvalidAction', `The action ${name} is not valid for this web service.`);
      const decoded = decodeJsonInput(api.model, name, call.incoming.body);
      if (!decoded.ok) {
        const v = decoded.violation;
        // A body that is not JSON, or a member of the wrong JSON type, has no Reason of its own.
        if (v.reason === 'SERIALIZATION' || v.reason === 'INVALID_TYPE')
          throw new OrgError('InvalidInputException', v.message);
        throw new OrgError('InvalidInputException', v.message, { Reason: v.reason });
      }
      call.input = decoded.input;
      const operation = api.operations.get(name);
      if (!operation) throw new AwsError('NotImplemented', `iamd does not implement ${name} yet`);
      return operation;
    },
    execute: (call, operation) => executeCall(p, call, operation),
    render: (call, operation, output) =>
      call.answer(200, AMZ_JSON_11, renderJsonResult(api.model, operation.name, output ?? {})),
    renderError(call, err) {
      const fields = err instanceof OrgError ? err.fields : {};
      return call.answer(
        err.status,
        AMZ_JSON_11,
        renderJsonError(json11Type(err.code), err.message, fields),
        json11Type(err.code),
      );
    },
    // Only authenticated callers are recorded (an unsigned probe has no account to record it in).
    recordsFailure: (call) => call.principal.type !== 'Anonymous' && call.operation !== undefined,
  };
}
