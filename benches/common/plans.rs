//! Query plans for the benches' statements: `EXPLAIN QUERY PLAN` on SQLite, `EXPLAIN
//! (ANALYZE, BUFFERS)` on PostgreSQL (in a transaction rolled back), printed as Markdown.

// Only the scale and measures benches explain plans; the others include this module too.
#![allow(dead_code)]

use std::collections::HashMap;
use std::fmt::Write as _;

use healing_space::config::DatabaseKind;
use sqlx::{AnyPool, Row};

/// A statement's `$n` parameter.
pub enum Param {
    Int(i64),
    Text(String),
}

impl Param {
    fn literal(&self) -> String {
        match self {
            Param::Int(n) => n.to_string(),
            Param::Text(t) => format!("'{}'", t.replace('\'', "\'\'")),
        }
    }
}

/// A statement to explain: its name, its SQL with `$n` parameters, and their values.
pub type Statement = (&'static str, String, Vec<Param>);

/// Prints the plan of each statement, with its parameters bound.
pub async fn print_plans(
    raw: &AnyPool,
    kind: DatabaseKind,
    statements: Vec<Statement>,
) -> anyhow::Result<()> {
    for (name, sql, params) in statements {
        let mut tx = raw.begin().await?;
        let plan = match kind {
            DatabaseKind::Sqlite => {
                let text = format!("EXPLAIN QUERY PLAN {sql}");
                let mut query = sqlx::query(&text);
                for param in &params {
                    query = match param {
                        Param::Int(n) => query.bind(*n),
                        Param::Text(t) => query.bind(t.clone()),
                    };
                }
                let rows = query.fetch_all(&mut *tx).await?;
                sqlite_plan_tree(&rows)?
            }
            DatabaseKind::Postgres => {
                // Literal values, so the plan is the one a first (custom-plan) execution gets.
                let mut text = sql.clone();
                for (n, param) in params.iter().enumerate().rev() {
                    text = text.replace(&format!("${}", n + 1), &param.literal());
                }
                let rows = sqlx::query(&format!("EXPLAIN (ANALYZE, BUFFERS) {text}"))
                    .fetch_all(&mut *tx)
                    .await?;
                let mut plan = String::new();
                for row in rows {
                    writeln!(plan, "{}", row.try_get::<String, _>(0)?)?;
                }
                plan
            }
        };
        tx.rollback().await?;
        let shown: Vec<String> = params
            .iter()
            .map(|p| match p {
                Param::Text(t) if t.len() > 16 => format!("'{}…'", &t[..12]),
                p => p.literal(),
            })
            .collect();
        println!("{name}  [{}]", shown.join(", "));
        println!("```");
        print!("{plan}");
        println!("```");
    }
    Ok(())
}

/// `EXPLAIN QUERY PLAN` rows (id, parent, notused, detail) as the sqlite3 shell shows them.
fn sqlite_plan_tree(rows: &[sqlx::any::AnyRow]) -> anyhow::Result<String> {
    let mut depth: HashMap<i64, usize> = HashMap::new();
    let mut out = String::new();
    for row in rows {
        let id: i64 = row.try_get(0)?;
        let parent: i64 = row.try_get(1)?;
        let detail: String = row.try_get(3)?;
        let level = depth.get(&parent).map_or(0, |d| d + 1);
        depth.insert(id, level);
        writeln!(out, "{}{detail}", "  ".repeat(level))?;
    }
    if out.is_empty() {
        out.push_str("(no table access)\n");
    }
    Ok(out)
}
