//! Signing up, in and out, and changing a password: the flows that tie an account to a
//! session (`/api/auth/...`). Above both `accounts` and `sessions`, so neither needs the
//! other's routes.

pub mod device;
pub mod password_step;
pub mod routes;
pub mod start;
pub mod two_factor;
pub mod views;
