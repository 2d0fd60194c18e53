//! Every word Tend shows comes from the Fluent files in `locales/`. English is the only
//! language today; the lookups already take a language so a second one needs no code change.

use std::collections::HashMap;
use std::sync::LazyLock;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, static_loader};

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en-US",
        // Tend's text is left-to-right today; isolation marks would show up in copied codes.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static ENGLISH: LazyLock<LanguageIdentifier> =
    LazyLock::new(|| "en-US".parse().unwrap_or_default());

/// Marks a message id written in code, so the translation test finds it.
pub const fn msg(id: &'static str) -> &'static str {
    id
}

/// The member's language, for templates and handlers.
#[derive(Clone)]
pub struct I18n {
    lang: LanguageIdentifier,
}

impl Default for I18n {
    fn default() -> Self {
        Self {
            lang: ENGLISH.clone(),
        }
    }
}

impl I18n {
    /// The `lang` attribute of pages.
    pub fn lang(&self) -> String {
        self.lang.language.as_str().to_owned()
    }

    /// The text of message `id`. A missing id shows the id (and a test fails long before).
    pub fn t(&self, id: &str) -> String {
        LOCALES
            .try_lookup(&self.lang, id)
            .unwrap_or_else(|| id.to_owned())
    }

    /// The text of message `id` with arguments, e.g. `("name", "Sam")`.
    pub fn t_with(&self, id: &str, args: &[(&str, &str)]) -> String {
        let args: HashMap<std::borrow::Cow<'static, str>, FluentValue<'_>> = args
            .iter()
            .map(|(key, value)| (key.to_string().into(), FluentValue::from(value.to_string())))
            .collect();
        LOCALES
            .try_lookup_with_args(&self.lang, id, &args)
            .unwrap_or_else(|| id.to_owned())
    }

    /// Whether message `id` exists (and formats without arguments).
    pub fn exists(&self, id: &str) -> bool {
        LOCALES.try_lookup(&self.lang, id).is_some()
    }

    /// The text of message `id` with a `count` argument, for plural forms.
    pub fn t_count(&self, id: &str, count: u32) -> String {
        let args: HashMap<std::borrow::Cow<'static, str>, FluentValue<'_>> =
            HashMap::from([("count".into(), FluentValue::from(count))]);
        LOCALES
            .try_lookup_with_args(&self.lang, id, &args)
            .unwrap_or_else(|| id.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `t("…")`, `t_with("…"` and `msg("…")` in the templates, this crate's sources and
    /// the use cases' sources (whose errors name messages) names a message.
    #[test]
    fn every_message_id_used_in_templates_and_code_exists() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let defined: std::collections::HashSet<String> = files(&root.join("locales/en-US"))
            .iter()
            .flat_map(|path| defined_ids(path))
            .collect();
        let mut missing = Vec::new();
        let mut seen = 0;
        for dir in ["templates", "src", "../tend-app/src"] {
            for path in files(&root.join(dir)) {
                let text = std::fs::read_to_string(&path).unwrap();
                for id in message_ids(&text) {
                    seen += 1;
                    if !defined.contains(&id) {
                        missing.push(format!("{id} ({})", path.display()));
                    }
                }
            }
        }
        assert!(seen > 50, "found only {seen} message ids");
        assert!(missing.is_empty(), "missing translations: {missing:#?}");
    }

    /// The message ids an FTL file defines (`id = …` at the start of a line).
    fn defined_ids(path: &std::path::Path) -> std::collections::HashSet<String> {
        std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .filter_map(|line| line.split_once(" ="))
            .map(|(id, _)| id.to_owned())
            .filter(|id| {
                id.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            })
            .collect()
    }

    fn files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                out.extend(files(&path));
            } else {
                out.push(path);
            }
        }
        out
    }

    /// Quoted ids after `.t(`, `.t_with(`, `.t_count(` or `msg(`: kebab-case words.
    fn message_ids(text: &str) -> Vec<String> {
        let mut ids = Vec::new();
        for marker in [".t(\"", ".t_with(\"", ".t_count(\"", "msg(\""] {
            for (start, _) in text.match_indices(marker) {
                let rest = &text[start + marker.len()..];
                if let Some(end) = rest.find('"') {
                    let id = &rest[..end];
                    if !id.is_empty()
                        && id
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c == '-' || c.is_ascii_digit())
                    {
                        ids.push(id.to_owned());
                    }
                }
            }
        }
        ids
    }

    /// Fluent refuses a bundle where two files define one id, and the loader panics: catch
    /// it here rather than at the first page view.
    #[test]
    fn no_message_id_is_defined_twice() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("locales/en-US");
        let mut seen = std::collections::HashMap::new();
        let mut twice = Vec::new();
        for path in files(&root) {
            let text = std::fs::read_to_string(&path).unwrap();
            for (id, _) in text.lines().filter_map(|line| line.split_once(" =")) {
                let is_id = id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
                let first = if is_id {
                    seen.insert(id.to_owned(), path.clone())
                } else {
                    None
                };
                if let Some(first) = first {
                    twice.push(format!("{id} ({} and {})", first.display(), path.display()));
                }
            }
        }
        assert!(twice.is_empty(), "defined twice: {twice:#?}");
    }

    #[test]
    fn arguments_are_filled_in_without_isolation_marks() {
        let text = I18n::default().t_with("home-welcome-back", &[("name", "Sam")]);
        assert!(text.contains("Sam"), "{text}");
        assert!(!text.contains('\u{2068}'));
    }
}
