/** Which paths belong to iamd's own (non-AWS) endpoints; every other path is the Query endpoint's. */

/** Paths served by iamd's own endpoints, which answer errors in JSON. */
const OWN_ENDPOINT = /^\/(console|_iamd|federation|outbound|moto-api|health|ready)(\/|\?|$)/;

/** True when `url` (path and query) is one of iamd's own endpoints. */
export function isOwnEndpoint(url: string): boolean {
  return OWN_ENDPOINT.test(url);
}

/** Largest request body accepted; IAM's largest input (a 10 kB policy, URL-encoded) fits easily. */
export const BODY_LIMIT = 1024 * 1024;
