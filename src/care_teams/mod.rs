//! Care teams: which clinicians look after which patients.

pub mod store;
