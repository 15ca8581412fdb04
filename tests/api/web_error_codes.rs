//! The web app and the server name error codes alike: `web/error-codes.js` lists exactly
//! the variants of `ErrorCode`, by the same names, and no module of the web app compares a
//! code with a string that is not one of them.

use std::path::{Path, PathBuf};

use healing_space::http::ErrorCode;

fn web_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("web")
}

/// Every JavaScript module of the web app: its path under `web/` and its text.
fn modules(dir: &Path) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(modules(&path));
        } else if path.extension().is_some_and(|e| e == "js") {
            let name = path.strip_prefix(web_dir()).unwrap().display().to_string();
            found.push((name, std::fs::read_to_string(&path).unwrap()));
        }
    }
    found
}

/// A table's `(name, code)` entries.
type Table = Vec<(String, String)>;

/// The `Name: 'value',` entries of `export const <table> = Object.freeze({ ... });`.
fn table(source: &str, name: &str) -> Table {
    let start = format!("export const {name} = Object.freeze({{");
    let body = source
        .split_once(&start)
        .unwrap_or_else(|| panic!("web/error-codes.js declares {name}"))
        .1;
    let body = body.split_once("});").expect("the table ends with `});`").0;
    body.lines()
        .filter_map(|line| {
            let (key, value) = line.trim().trim_end_matches(',').split_once(':')?;
            Some((
                key.trim().to_owned(),
                value.trim().trim_matches('\'').to_owned(),
            ))
        })
        .collect()
}

/// The server's codes and the client's own, as the web app lists them.
fn web_tables() -> (Table, Table) {
    let source = std::fs::read_to_string(web_dir().join("error-codes.js")).unwrap();
    (
        table(&source, "ErrorCode"),
        table(&source, "ClientErrorCode"),
    )
}

#[test]
fn the_web_app_lists_every_error_code_by_its_variant_name() {
    let (web, _) = web_tables();
    let server: Table = ErrorCode::ALL
        .iter()
        .map(|code| (format!("{code:?}"), code.as_str().to_owned()))
        .collect();
    let missing: Vec<_> = server.iter().filter(|c| !web.contains(c)).collect();
    let unknown: Vec<_> = web.iter().filter(|c| !server.contains(c)).collect();
    assert!(
        missing.is_empty() && unknown.is_empty(),
        "web/error-codes.js differs from ErrorCode: add {missing:?}, remove {unknown:?}"
    );
}

#[test]
fn codes_of_the_client_are_never_codes_of_the_server() {
    let (_, client) = web_tables();
    assert!(!client.is_empty());
    for (_, value) in &client {
        assert!(
            ErrorCode::ALL.iter().all(|code| code.as_str() != value),
            "{value} is a server code; use ErrorCode for it"
        );
    }
}

#[test]
fn web_modules_compare_codes_only_with_the_servers_codes() {
    let (server, client) = web_tables();
    let known = |value: &str| server.iter().chain(&client).any(|(_, v)| v == value);
    let mut wrong = Vec::new();
    for (name, source) in modules(&web_dir()) {
        for literal in compared_code_literals(&source) {
            if !known(&literal) {
                wrong.push(format!("{name} compares a code with '{literal}'"));
            }
        }
        for (table, names) in [("ErrorCode", &server), ("ClientErrorCode", &client)] {
            for used in references(&source, table) {
                if !names.iter().any(|(n, _)| *n == used) {
                    wrong.push(format!("{name} uses {table}.{used}, which does not exist"));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The scanner finds what it is meant to find, so the test above can fail.
#[test]
fn the_scanner_finds_every_way_of_comparing_a_code() {
    let source = "if (error.code === 'one') {}\n\
                  if ('two' !== body?.error?.code) {}\n\
                  switch (error.code) {\n case 'three':\n break;\n}\n\
                  switch (kind) { case 'not_a_code': }\n\
                  if (e.codes === 'not_compared') {}\n\
                  if (error.code === ErrorCode.Four) {}";
    assert_eq!(compared_code_literals(source), ["one", "two", "three"]);
    assert_eq!(references(source, "ErrorCode"), ["Four"]);
    assert_eq!(
        references("ClientErrorCode.Timeout", "ErrorCode"),
        [] as [&str; 0]
    );
}

/// String literals compared (`===`, `!==`, `==`, `!=`) with an expression ending in
/// `code`, or given as a `case` of a `switch` on one.
fn compared_code_literals(source: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut switch_depth: Option<usize> = None;
    let mut depth = 0usize;
    let tokens = tokenize(source);
    for (i, token) in tokens.iter().enumerate() {
        match token.as_str() {
            "{" => depth += 1,
            "}" => {
                depth = depth.saturating_sub(1);
                if switch_depth.is_some_and(|d| depth < d) {
                    switch_depth = None;
                }
            }
            "===" | "!==" | "==" | "!=" if i > 0 => {
                let (before, after) = (&tokens[i - 1], tokens.get(i + 1));
                match (literal(before), after.and_then(|a| literal(a))) {
                    (None, Some(value)) if is_code(before) => found.push(value),
                    (Some(value), None) if after.is_some_and(|a| is_code(a)) => found.push(value),
                    _ => {}
                }
            }
            "switch" if tokens.get(i + 2).is_some_and(|t| is_code(t)) => {
                switch_depth = Some(depth + 1);
            }
            "case" if switch_depth.is_some() => {
                found.extend(tokens.get(i + 1).and_then(|t| literal(t)));
            }
            _ => {}
        }
    }
    found
}

/// The names used as `<table>.Name`.
fn references(source: &str, table: &str) -> Vec<String> {
    let tokens = tokenize(source);
    tokens
        .iter()
        .filter_map(|t| t.strip_prefix(table)?.strip_prefix('.'))
        .map(str::to_owned)
        .collect()
}

/// Just enough of JavaScript for the rules above: comments skipped, quoted strings,
/// operators, braces, parentheses, and runs of identifier characters with `.` and `?.`
/// kept together.
fn tokenize(source: &str) -> Vec<String> {
    let chars: Vec<char> = source.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
            continue;
        } else if c == '/' && next == Some('*') {
            i += 2;
            while i < chars.len() && !(chars[i - 1] == '*' && chars[i] == '/') {
                i += 1;
            }
            i += 1;
            continue;
        } else if c == '\'' || c == '"' || c == '`' {
            i += 1;
            while i < chars.len() && chars[i] != c {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
        } else if c.is_alphanumeric() || c == '_' || c == '$' {
            while i < chars.len()
                && (chars[i].is_alphanumeric() || matches!(chars[i], '_' | '$' | '.' | '?'))
            {
                i += 1;
            }
        } else if c == '=' || c == '!' {
            i += 1;
            while i < chars.len() && chars[i] == '=' {
                i += 1;
            }
        } else if c.is_whitespace() {
            i += 1;
            continue;
        } else {
            i += 1;
        }
        tokens.push(chars[start..i.min(chars.len())].iter().collect());
    }
    tokens
}

fn literal(token: &str) -> Option<String> {
    let quote = token.chars().next()?;
    matches!(quote, '\'' | '"' | '`').then(|| token[1..token.len().saturating_sub(1)].to_owned())
}

/// An expression such as `code`, `error.code` or `body?.error?.code`.
fn is_code(token: &str) -> bool {
    token
        .trim_end_matches('?')
        .rsplit(['.', '?'])
        .next()
        .is_some_and(|last| last == "code")
}
