// Every way a vendor operation (keys, issuing, the vendor database) can fail, each with a stable code
// and a message that names the fix. The activation service's refusals are ActivationRefused (decide.ts).
export type VendorErrorCode =
  | 'key_exists'
  | 'key_missing'
  | 'key_format'
  | 'key_purpose'
  | 'bad_kid'
  | 'key_untrusted'
  | 'bad_spec'
  | 'evaluation_issued'
  | 'unknown_license'
  | 'unknown_activation'
  | 'already_released'
  | 'schema_too_new'
  | 'file_error'

export class VendorError extends Error {
  override name = 'VendorError'
  readonly code: VendorErrorCode
  constructor(code: VendorErrorCode, message: string) {
    super(message)
    this.code = code
  }
}
