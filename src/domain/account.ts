/** Account-level settings as stored. */

/** The `setting` entity key of the account password policy. */
export const PASSWORD_POLICY_KEY = 'password-policy';
