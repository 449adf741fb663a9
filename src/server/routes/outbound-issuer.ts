/**
 * The public discovery endpoints of each account's outbound-federation issuer (issue #20): unsigned
 * `GET <issuer>/.well-known/openid-configuration` and `GET <issuer>/.well-known/jwks.json`, where the
 * issuer is `<iamd>/outbound/<account>/<issuer id>` (src/domain/outbound-federation.ts). They read no
 * IAM data beyond the account's public keys, so they are plain routes outside the request pipeline.
 *
 * An unknown account, an issuer id that is not the account's, or an account that never enabled the
 * feature all answer the same 404, so the endpoint tells nobody which accounts exist. The keys stay
 * published after the feature is disabled: tokens issued before remain verifiable (AWS: disabling
 * "does not affect tokens that were issued before the feature was disabled").
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { StoreReader } from '../../store/index.js';
import {
  getOutboundState,
  issuerUrl,
  jwksDocument,
  openIdConfiguration,
  type OutboundState,
} from '../../domain/outbound-federation.js';

/** What the routes need from the composition root. */
export interface OutboundIssuerOptions {
  readonly store: StoreReader;
  readonly now: () => number;
  /** iamd's public base URL (the issuer's prefix). */
  readonly publicUrl: () => string | undefined;
}

/** Verifiers may cache the documents this long (seconds); rotated keys are published an hour longer. */
const MAX_AGE_SECONDS = 60;

const ACCOUNT = /^[0-9]{12}$/;
const ISSUER_ID = /^[0-9a-f]{32}$/;

function sameId(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

async function issuerState(
  store: StoreReader,
  account: string,
  issuerId: string,
): Promise<OutboundState | undefined> {
  if (!ACCOUNT.test(account) || !ISSUER_ID.test(issuerId)) return undefined;
  const found = await getOutboundState(store, account);
  return found !== undefined && sameId(found.state.issuerId, issuerId) ? found.state : undefined;
}

function notFound(reply: FastifyReply): FastifyReply {
  return reply.code(404).send({ statusCode: 404, message: 'not found' });
}

/** Registers the two discovery routes. */
export function outboundIssuerRoutes(options: OutboundIssuerOptions): (app: FastifyInstance) => void {
  return (app) => {
    app.get<{ Params: { account: string; issuer: string } }>(
      '/outbound/:account/:issuer/.well-known/openid-configuration',
      async (req, reply) => {
        const { account, issuer } = req.params;
        const state = await issuerState(options.store, account, issuer);
        if (state === undefined) return notFound(reply);
        const url = issuerUrl(options.publicUrl() ?? 'http://localhost', account, state.issuerId);
        return reply
          .header('cache-control', `public, max-age=${MAX_AGE_SECONDS}`)
          .send(openIdConfiguration(url));
      },
    );
    app.get<{ Params: { account: string; issuer: string } }>(
      '/outbound/:account/:issuer/.well-known/jwks.json',
      async (req, reply) => {
        const { account, issuer } = req.params;
        const state = await issuerState(options.store, account, issuer);
        if (state === undefined) return notFound(reply);
        return reply
          .header('cache-control', `public, max-age=${MAX_AGE_SECONDS}`)
          .header('content-type', 'application/jwk-set+json')
          .send(JSON.stringify(jwksDocument(state, options.now())));
      },
    );
  };
}
