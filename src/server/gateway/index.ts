/**
 * The gateway's composition (issue #18): the configured services' entry points on the pipeline, and
 * the Node handler the app puts ahead of its other routes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { GatewayConfig } from '../../config/index.js';
import type { Pipeline } from '../pipeline/index.js';
import { logCall } from '../routes/query.js';
import { gatewayHandler, type GatewayEntries } from './handler.js';
import { s3EntryPoint } from './s3-entry.js';
import { dynamoDbEntryPoint } from './dynamodb-entry.js';

/** The app's gateway option for `config` (undefined when no upstream is configured). */
export function gatewayFor(
  p: Pipeline,
  config: GatewayConfig | undefined,
  defaultAccount: () => string,
  dynamoDbOperations: () => ReadonlySet<string>,
): ((app: FastifyInstance) => (req: IncomingMessage, res: ServerResponse) => boolean) | undefined {
  if (config === undefined) return undefined;
  const s3 = config.upstreams['s3'];
  const dynamodb = config.upstreams['dynamodb'];
  const entries: GatewayEntries = {
    dynamodb:
      dynamodb === undefined
        ? undefined
        : dynamoDbEntryPoint(p, {
            upstream: dynamodb.url,
            credentials: dynamodb.credentials,
            timeoutMs: config.timeoutMs,
            operations: dynamoDbOperations(),
            defaultAccount,
          }),
    s3:
      s3 === undefined
        ? undefined
        : s3EntryPoint(p, {
            upstream: s3.url,
            credentials: s3.credentials,
            virtualHosts: config.s3VirtualHosts,
            timeoutMs: config.timeoutMs,
            defaultAccount,
          }),
  };
  return (app) => gatewayHandler(p, entries, (answer, started) => logCall(app.log, answer, started));
}
