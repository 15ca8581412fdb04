//! Healing Space: secure messaging, mood check-ins and care teams for people in
//! mental-health care and their clinicians.
//!
//! A request travels one way: [`app`] (the router, above every feature) → a feature's
//! routes → its rules → its store → [`storage`].
//!
//! The parts of the product: [`accounts`], [`sessions`], [`auth`], [`recovery`] (password
//! reset links), [`profile`] (my name and address), [`closing`] (closing an account), [`care_teams`], [`messaging`], [`home`],
//! [`mood`], [`measures`] (questionnaires) and [`alerts`] (risk alerts for the care team),
//! with the rules they follow in [`clinical`]; [`safety_plan`] (written together, every
//! version kept); [`events`] (pushed to the people they concern as they happen) and
//! [`notifications`] (mail that something happened, never what);
//! [`feedback`], [`admin`], [`my_data`], [`audit`], [`health`], and
//! [`reference`] (the OpenAPI document and its page).
//! Between appointments: [`cbt`] (thought records, activities, exposure ladders) and
//! [`homework`] (what the care team assigns).
//! The plumbing: [`config`], [`storage`], [`http`] (a toolkit that knows no feature),
//! [`mail`] (outgoing mail), [`metrics`] (what Prometheus reads, recorded where it
//! happens; [`scrape`] serves it at `/metrics`), [`text`] (which characters free text may hold), [`state`],
//! [`server`] (connections and their limits), [`startup`], [`cli`], [`doctor`], [`backup`]
//! (the `backup` and `restore` commands).

// Requests allocate many small, short-lived objects across threads (rows, JSON, headers);
// mimalloc serves those with less CPU and contention than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub mod accounts;
pub mod admin;
pub mod alerts;
pub mod app;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod care_teams;
pub mod cbt;
pub mod cli;
pub mod clinical;
pub mod closing;
pub mod config;
pub mod doctor;
pub mod events;
pub mod feedback;
pub mod health;
pub mod home;
pub mod homework;
pub mod http;
pub mod mail;
pub mod measures;
pub mod messaging;
pub mod metrics;
pub mod mood;
pub mod my_data;
pub mod notifications;
pub mod passkeys;
pub mod profile;
pub mod recovery;
pub mod reference;
pub mod safety_plan;
pub mod scrape;
pub mod server;
pub mod sessions;
pub mod startup;
pub mod state;
pub mod storage;
pub mod telemetry;
pub mod text;
pub mod web;
