//! `/api/auth/...`: registration, sign-in and sign-out, and the current account.
