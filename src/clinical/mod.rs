//! Clinical rules, kept apart from storage and HTTP so that each one can be read and tested
//! on its own, at every boundary: the questionnaires and their published wording
//! ([`instruments`]), how answers are checked and scored ([`scoring`]), and which results
//! raise a risk alert for the care team ([`rules`]).
//!
//! Nothing here guesses: a missing answer is an error, never a 0, and the alert rules are
//! deterministic, versioned and never read free text.

pub mod instruments;
pub mod rules;
pub mod scoring;

pub use instruments::{Instrument, InstrumentId};
pub use rules::{AlertSeverity, Rule};
pub use scoring::{score, Answer, AnswerError, Answers, Flag, Risk, Scored, Severity};
