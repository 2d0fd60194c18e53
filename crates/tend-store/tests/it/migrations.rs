//! The two backends' migration folders must move in step.

use std::collections::BTreeSet;
use std::path::Path;

fn stems(folder: &str) -> BTreeSet<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(folder);
    std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            path.file_stem().unwrap().to_string_lossy().into_owned()
        })
        .collect()
}

#[test]
fn sqlite_and_postgres_migrations_have_identical_version_stems() {
    let sqlite = stems("sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, stems("postgres"));
}
