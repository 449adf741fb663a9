/** A source of randomness, passed in so the pure core stays deterministic under test. */
export interface Random {
  /** `n` cryptographically strong random bytes. */
  bytes(n: number): Uint8Array;
}
