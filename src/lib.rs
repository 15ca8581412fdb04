//! Healing Space: secure messaging, mood check-ins and care teams for people in
//! mental-health care and their clinicians.
//!
//! The parts of the product: [`accounts`], [`sessions`], [`care_teams`], [`messaging`],
//! [`home`], [`mood`], [`feedback`], [`admin`], [`my_data`], [`audit`].
//! The plumbing: [`config`], [`storage`], [`http`], [`startup`], [`cli`], [`doctor`].

// Requests allocate many small, short-lived objects across threads (rows, JSON, headers);
// mimalloc serves those with less CPU and contention than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub mod accounts;
pub mod admin;
pub mod audit;
pub mod care_teams;
pub mod cli;
pub mod config;
pub mod doctor;
pub mod feedback;
pub mod home;
pub mod http;
pub mod messaging;
pub mod mood;
pub mod my_data;
pub mod sessions;
pub mod startup;
pub mod storage;
pub mod telemetry;
pub mod web;
