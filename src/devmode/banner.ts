/**
 * The start-up line that states the enforcement level (issue 9: "whatever the level, a startup line
 * says it loudly"). The development levels are spelled in capitals with what they give up.
 */
import type { AuthMode } from '../config/index.js';

/** One line (no trailing newline) naming the level and what it means. */
export function authBanner(mode: AuthMode): string {
  switch (mode) {
    case 'enforce':
      return 'auth level: enforce (signatures, credentials and policies are all checked)';
    case 'permissive':
      return (
        '*** AUTH LEVEL: PERMISSIVE — FOR DEVELOPMENT ONLY *** unknown access keys act as an account root ' +
        '(a 12-digit key id names the account) and their signatures are NOT verified (iamd has no secret ' +
        'for them); known keys are fully enforced; POST /_iamd/reset and /moto-api/reset are enabled'
      );
    case 'report-only':
      return (
        '*** AUTH LEVEL: REPORT-ONLY — FOR DEVELOPMENT ONLY *** calls that policies deny SUCCEED; each ' +
        'would-be denial is logged (warn) and audited (iamdReportOnly); POST /_iamd/reset and ' +
        '/moto-api/reset are enabled'
      );
    case 'off':
      return (
        '*** AUTH LEVEL: OFF — NOTHING IS ENFORCED, FOR DEVELOPMENT ONLY *** ANY credentials are accepted ' +
        'with NO signature or time check (unknown keys act as an account root; a 12-digit key id names the ' +
        'account); NO call is denied: each would-be denial is logged (warn) and audited (iamdReportOnly); ' +
        'POST /_iamd/reset and /moto-api/reset are enabled'
      );
  }
}

/** Whether `mode` is a development level (reset routes on, loopback-only binding). */
export function isDevLevel(mode: AuthMode): boolean {
  return mode !== 'enforce';
}
