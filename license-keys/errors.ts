// Every way a vendor token can be refused, each with a stable code and a message that names the fix.
export type LicenseErrorCode =
  | 'malformed'
  | 'too_large'
  | 'several_tokens'
  | 'unsupported'
  | 'alg_not_allowed'
  | 'wrong_type'
  | 'unknown_key'
  | 'retired_key'
  | 'wrong_key_purpose'
  | 'bad_signature'
  | 'bad_claims'
  | 'wrong_product'
  | 'issued_in_future'
  | 'not_yet_valid'
  | 'wrong_license'
  | 'nonce_mismatch'
  | 'fingerprint_mismatch'
  | 'expired'
  | 'activation_failed'
  | 'network'

export class LicenseError extends Error {
  override name = 'LicenseError'
  readonly code: LicenseErrorCode
  constructor(code: LicenseErrorCode, message: string) {
    super(message)
    this.code = code
  }
}
