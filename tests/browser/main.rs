//! The web app in a real browser: headless Chromium driven through chromedriver, against
//! the real server (in this process, or as a process where it restarts). Accounts are
//! seeded through the API; everything a person does here goes through the pages. Every
//! screen visited is saved under `target/screenshots/`.
//!
//! The harness is `tests/common/browser/`; without Chromium and chromedriver the browser
//! tests are skipped with a note, unless `REQUIRE_BROWSER_TESTS=1`, when they fail.

#[path = "../common/mod.rs"]
mod common;

#[macro_use]
#[path = "../common/browser/mod.rs"]
mod browser;

mod addresses;
mod cbt;
mod closing;
mod files;
mod keyboard;
mod live;
mod measures;
mod messaging;
mod mood_and_feedback;
mod names;
mod narrow;
mod passkeys;
mod profile;
mod recovery;
mod safety_plan;
mod sessions;
mod support;
mod two_factor;
