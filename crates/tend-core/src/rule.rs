//! A rule a value broke, named so each front end can say it in the member's language.

/// A rule a value broke, named by a stable code so that each front end (pages, API) can say
/// it in the member's language.
pub trait Rule {
    /// A short, stable, kebab-case code, e.g. `username-too-short`.
    fn code(&self) -> &'static str;
}
