// Every error code the server answers with, named as the variants of `ErrorCode` in
// src/http/error_code.rs: compare `error.code` with these, never with a string of your own.
// tests/api/web_error_codes.rs fails when this list and the server's differ, or when a
// module compares a code with a string that is not one of them.

export const ErrorCode = Object.freeze({
  MalformedJson: 'malformed_json',
  UnreadableBody: 'unreadable_body',
  UnsupportedMediaType: 'unsupported_media_type',
  PayloadTooLarge: 'payload_too_large',
  ValidationFailed: 'validation_failed',
  NotFound: 'not_found',
  MethodNotAllowed: 'method_not_allowed',
  AlreadyExists: 'already_exists',
  TooManyRequests: 'too_many_requests',
  MalformedRequest: 'malformed_request',
  UriTooLong: 'uri_too_long',
  HeadersTooLarge: 'headers_too_large',
  InvalidCredentials: 'invalid_credentials',
  TooManyAttempts: 'too_many_attempts',
  NotAuthenticated: 'not_authenticated',
  SessionUnknown: 'session_unknown',
  SessionExpired: 'session_expired',
  SessionRevoked: 'session_revoked',
  AccountDisabled: 'account_disabled',
  AccountClosed: 'account_closed',
  SessionChanged: 'session_changed',
  CsrfFailed: 'csrf_failed',
  WrongPassword: 'wrong_password',
  Forbidden: 'forbidden',
  ClinicianNotApproved: 'clinician_not_approved',
  NotPending: 'not_pending',
  CannotDisableSelf: 'cannot_disable_self',
  RecipientNotAllowed: 'recipient_not_allowed',
  IdempotencyKeyReused: 'idempotency_key_reused',
  SupportUnavailable: 'support_unavailable',
  ResetLinkRefused: 'reset_link_refused',
  MailUnavailable: 'mail_unavailable',
  AlertAlreadyResolved: 'alert_already_resolved',
  PreconditionFailed: 'precondition_failed',
  PreconditionRequired: 'precondition_required',
  LinkUnknown: 'link_unknown',
  LinkUsed: 'link_used',
  LinkExpired: 'link_expired',
  NotClosed: 'not_closed',
  AccountErased: 'account_erased',
  NothingToReview: 'nothing_to_review',
  DatabaseUnavailable: 'database_unavailable',
  NotReady: 'not_ready',
  StorageUnavailable: 'storage_unavailable',
  ServerBusy: 'server_busy',
  RequestTimeout: 'request_timeout',
  InternalError: 'internal_error',
  PasskeysUnavailable: 'passkeys_unavailable',
  PasskeyCeremonyExpired: 'passkey_ceremony_expired',
  PasskeyNotAccepted: 'passkey_not_accepted',
});

// Codes this client gives to failures the server never answered: no answer in time, or no
// connection at all. They are not the server's, so they never match an ErrorCode.
export const ClientErrorCode = Object.freeze({
  Timeout: 'timeout',
  Network: 'network',
});
