//! `docs/THREAT-MODEL.md` lists every column the migrations create, under the heading of the
//! database file or schema that holds it, with why it is readable and what it tells a thief.
//! A migration that adds a column the document does not list fails here, naming it, and so
//! does a listed column that no migration creates: the document stays complete and honest.
//! Only the migration files and the document are read; no database is needed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The document's headings, one per place columns live.
const SQLITE_DATA: &str = "SQLite: `tend.db`";
const SQLITE_KEYSTORE: &str = "SQLite: `keystore.db`";
const POSTGRES_DATA: &str = "PostgreSQL: schema `public`";
const POSTGRES_KEYSTORE: &str = "PostgreSQL: schema `keystore`";

/// `table.column` names by heading.
type Columns = BTreeMap<String, BTreeSet<String>>;

/// Each table a folder of migrations leaves, by schema (`None`: the default one) and name.
type Tables = BTreeMap<(Option<String>, String), BTreeSet<String>>;

#[test]
fn the_threat_model_lists_every_column_the_migrations_create() {
    let problems = check(&document());
    assert!(
        problems.is_empty(),
        "docs/THREAT-MODEL.md is out of step with the migrations:\n{}",
        problems.join("\n")
    );
}

/// The check itself must be able to fail: a row taken out, or one made up, is named.
#[test]
fn a_missing_or_invented_column_is_named() {
    let doc: String = document()
        .replace(
            "\n| `members.id` |",
            "\n| `members.shoe_size` | plaintext | - | - |\n| `members.id` |",
        )
        .lines()
        .filter(|line| !line.starts_with("| `members.username` |"))
        .map(|line| format!("{line}\n"))
        .collect();
    let problems = check(&doc).join("\n");
    for heading in [SQLITE_DATA, POSTGRES_DATA] {
        assert!(
            problems.contains(&format!("{heading}: `members.username` is created")),
            "{problems}"
        );
        assert!(
            problems.contains(&format!("{heading}: `members.shoe_size` is listed")),
            "{problems}"
        );
    }
}

/// The forms of statement the migrations use, and a few they may come to use.
#[test]
fn the_reader_knows_the_syntax_migrations_use() {
    let sql = "-- CREATE TABLE commented (out INTEGER);
        CREATE TABLE IF NOT EXISTS keystore.things (
            id BLOB PRIMARY KEY NOT NULL, -- a comment, with a comma
            a INTEGER CHECK (a IN (1, 2)),
            b INTEGER,
            PRIMARY KEY (a, b),
            FOREIGN KEY (a, b)
                REFERENCES others (a, b) ON DELETE CASCADE,
            CONSTRAINT named UNIQUE (id)
        ) STRICT;
        CREATE INDEX things_a ON keystore.things (a);
        ALTER TABLE keystore.things ADD COLUMN later BIGINT NOT NULL DEFAULT 0;
        ALTER TABLE keystore.things ADD gone INTEGER, RENAME COLUMN b TO c;
        ALTER TABLE keystore.things DROP COLUMN gone;
        CREATE TABLE dropped (x INTEGER);
        DROP TABLE IF EXISTS dropped;";
    let mut tables = Tables::new();
    for statement in statements(sql) {
        apply(&statement, &mut tables);
    }
    let things = ["a", "c", "id", "later"].map(str::to_owned).into();
    let expected = Tables::from([((Some("keystore".into()), "things".into()), things)]);
    assert_eq!(tables, expected);
}

/// Everything wrong between the document and the migrations, one line each.
fn check(doc: &str) -> Vec<String> {
    let (documented, mut problems) = documented(doc);
    let created = created();
    let none = BTreeSet::new();
    for heading in created
        .keys()
        .chain(documented.keys())
        .collect::<BTreeSet<_>>()
    {
        let made = created.get(heading).unwrap_or(&none);
        let listed = documented.get(heading).unwrap_or(&none);
        for column in made.difference(listed) {
            problems.push(format!(
                "{heading}: `{column}` is created by a migration but not listed"
            ));
        }
        for column in listed.difference(made) {
            problems.push(format!(
                "{heading}: `{column}` is listed but no migration creates it"
            ));
        }
    }
    problems
}

/// The threat model as it stands in the repository.
fn document() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/THREAT-MODEL.md");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The `table.column` in the first cell of each table row, by the heading above it, and
/// what is wrong with the rows: under a column heading every row after the header names one
/// column, once, and its second cell says `sealed` for a sealed blob (`sealed`, `*_sealed`),
/// `wrapped` for a wrapped key, and `plaintext` for everything else.
fn documented(doc: &str) -> (Columns, Vec<String>) {
    let headings = [
        SQLITE_DATA,
        SQLITE_KEYSTORE,
        POSTGRES_DATA,
        POSTGRES_KEYSTORE,
    ];
    let (mut columns, mut problems) = (Columns::new(), Vec::new());
    let (mut heading, mut row, mut fenced) = ("", 0, false);
    for line in doc.lines().map(str::trim) {
        // A `#` in a code block is a shell comment, not a heading.
        if line.starts_with("```") {
            fenced = !fenced;
        }
        if fenced {
            continue;
        }
        if line.starts_with('#') {
            heading = line.trim_start_matches('#').trim();
        }
        if !line.starts_with('|') {
            row = 0;
            continue;
        }
        row += 1;
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let (first, kind) = (cells[1], cells.get(2).copied().unwrap_or(""));
        let Some((table, column)) = table_column(first) else {
            // The header and the line under it; anything else under a column heading is wrong.
            if row > 2 && headings.contains(&heading) {
                problems.push(format!(
                    "{heading}: a row's first cell must be one backticked `table.column`: {line}"
                ));
            }
            continue;
        };
        let expected = match column {
            "wrapped" => "wrapped",
            "sealed" => "sealed",
            column if column.ends_with("_sealed") => "sealed",
            _ => "plaintext",
        };
        if !kind.starts_with(expected) {
            problems.push(format!(
                "{heading}: `{table}.{column}` is {expected}, not \"{kind}\""
            ));
        }
        let name = format!("{table}.{column}");
        if !columns.entry(heading.to_owned()).or_default().insert(name) {
            problems.push(format!("{heading}: `{table}.{column}` is listed twice"));
        }
    }
    (columns, problems)
}

/// `table` and `column` of a cell that is exactly `` `table.column` ``.
fn table_column(cell: &str) -> Option<(&str, &str)> {
    let name = cell.strip_prefix('`')?.strip_suffix('`')?;
    let (table, column) = name.split_once('.')?;
    let word = |w: &str| !w.is_empty() && w.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    (word(table) && word(column)).then_some((table, column))
}

/// Every column the migrations create, by the heading it belongs under.
fn created() -> Columns {
    let mut columns = Columns::new();
    for folder in ["sqlite", "sqlite-keystore", "postgres"] {
        for ((schema, table), names) in tables(folder) {
            let heading = match (folder, schema.as_deref()) {
                ("sqlite", None) => SQLITE_DATA,
                ("sqlite-keystore", None) => SQLITE_KEYSTORE,
                ("postgres", None | Some("public")) => POSTGRES_DATA,
                ("postgres", Some("keystore")) => POSTGRES_KEYSTORE,
                (folder, schema) => panic!(
                    "{folder}: table {table} is in schema {schema:?}, which the threat model \
                     has no heading for"
                ),
            };
            let listed = columns.entry(heading.to_owned()).or_default();
            listed.extend(names.iter().map(|column| format!("{table}.{column}")));
        }
    }
    columns
}

/// The tables a folder of migrations leaves, its files applied in version order.
fn tables(folder: &str) -> Tables {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(folder);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            let name = path.to_string_lossy();
            name.ends_with(".sql") && !name.ends_with(".down.sql")
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no migrations in {}", dir.display());
    let mut tables = Tables::new();
    for file in files {
        for statement in statements(&std::fs::read_to_string(&file).unwrap()) {
            apply(&statement, &mut tables);
        }
    }
    tables
}

/// A migration's statements as lower-case tokens: comments dropped, and parentheses and
/// commas tokens of their own.
fn statements(sql: &str) -> Vec<Vec<String>> {
    let code: Vec<&str> = sql
        .lines()
        .map(|line| line.split("--").next().unwrap_or(""))
        .collect();
    code.join("\n")
        .split(';')
        .map(|statement| {
            statement
                .replace('(', " ( ")
                .replace(')', " ) ")
                .replace(',', " , ")
                .split_whitespace()
                .map(|token| token.trim_matches('"').to_lowercase())
                .collect::<Vec<_>>()
        })
        .filter(|tokens| !tokens.is_empty())
        .collect()
}

/// Applies one statement's effect on tables and columns. A statement that could change them
/// in a way this reader does not know stops the test, so no column slips by unlisted.
fn apply(tokens: &[String], tables: &mut Tables) {
    let words: Vec<&str> = tokens.iter().map(String::as_str).collect();
    match words.as_slice() {
        ["create", "table", "if", "not", "exists", rest @ ..] | ["create", "table", rest @ ..] => {
            create(rest, tables);
        }
        ["alter", "table", "if", "exists", name, actions @ ..]
        | ["alter", "table", name, actions @ ..] => {
            for action in split(actions) {
                alter(name, action, tables);
            }
        }
        ["drop", "table", "if", "exists", names @ ..] | ["drop", "table", names @ ..] => {
            for name in split(names) {
                tables.remove(&table_name(name[0]));
            }
        }
        ["create", "index" | "unique" | "schema", ..]
        | ["drop", "index", ..]
        | ["insert" | "update" | "delete" | "select", ..] => {}
        _ => panic!(
            "threat_model.rs cannot tell which columns this makes; teach it: {}",
            words.join(" ")
        ),
    }
}

/// `CREATE TABLE name ( column …, constraint …, … ) …`: the first word of each item that is
/// not a table constraint.
fn create(rest: &[&str], tables: &mut Tables) {
    let [name, "(", body @ ..] = rest else {
        panic!(
            "a table made otherwise than with a column list: {}",
            rest.join(" ")
        );
    };
    let mut depth = 0;
    let end = body
        .iter()
        .position(|token| {
            depth += match *token {
                "(" => 1,
                ")" => -1,
                _ => 0,
            };
            depth < 0
        })
        .unwrap_or_else(|| panic!("unbalanced parentheses in table {name}"));
    let columns = split(&body[..end])
        .into_iter()
        .filter_map(|item| item.first())
        .filter(|word| {
            !matches!(
                **word,
                "constraint" | "primary" | "foreign" | "unique" | "check" | "exclude"
            )
        })
        .map(|word| (*word).to_owned());
    tables.entry(table_name(name)).or_default().extend(columns);
}

/// One action of `ALTER TABLE name …`.
fn alter(name: &str, action: &[&str], tables: &mut Tables) {
    let table = table_name(name);
    if let ["rename", "to", to] = action {
        let moved = tables.remove(&table).unwrap_or_default();
        tables.insert(table_name(to), moved);
        return;
    }
    let columns = tables.entry(table).or_default();
    match action {
        [
            "add",
            "constraint" | "primary" | "foreign" | "unique" | "check" | "exclude",
            ..,
        ]
        | ["drop", "constraint", ..]
        | ["alter", ..] => {}
        ["add", "column", "if", "not", "exists", column, ..]
        | ["add", "column", column, ..]
        | ["add", column, ..] => {
            columns.insert((*column).to_owned());
        }
        ["drop", "column", "if", "exists", column, ..]
        | ["drop", "column", column, ..]
        | ["drop", column, ..] => {
            columns.remove(*column);
        }
        ["rename", "column", from, "to", to] | ["rename", from, "to", to] => {
            columns.remove(*from);
            columns.insert((*to).to_owned());
        }
        _ => panic!(
            "threat_model.rs cannot tell what this does to {name}'s columns; teach it: {}",
            action.join(" ")
        ),
    }
}

/// `tokens` split at the commas outside parentheses.
fn split<'a, 'b>(tokens: &'b [&'a str]) -> Vec<&'b [&'a str]> {
    let (mut parts, mut depth, mut start) = (Vec::new(), 0, 0);
    for (i, token) in tokens.iter().enumerate() {
        match *token {
            "(" => depth += 1,
            ")" => depth -= 1,
            "," if depth == 0 => {
                parts.push(&tokens[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&tokens[start..]);
    parts
}

/// `schema.table` or `table`.
fn table_name(name: &str) -> (Option<String>, String) {
    match name.split_once('.') {
        Some((schema, table)) => (Some(schema.to_owned()), table.to_owned()),
        None => (None, name.to_owned()),
    }
}
