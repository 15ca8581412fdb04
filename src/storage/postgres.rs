//! PostgreSQL, for several instances sharing one database, through sqlx.

use futures_util::TryStreamExt;
use sqlx::postgres::PgArguments;
use sqlx::query::Query as SqlxQuery;
use sqlx::Postgres;

use super::query::{DbError, Param, Row};

fn bound<'q>(sql: &'q str, params: &'q [Param]) -> SqlxQuery<'q, Postgres, PgArguments> {
    params
        .iter()
        .fold(sqlx::query(sql), |query, param| match param {
            Param::Int(v) => query.bind(*v),
            Param::Real(v) => query.bind(*v),
            Param::Text(v) => query.bind(v.as_str()),
            Param::NullInt => query.bind(None::<i64>),
            Param::NullReal => query.bind(None::<f64>),
            Param::NullText => query.bind(None::<&str>),
        })
}

pub async fn fetch<'c, T>(
    executor: impl sqlx::Executor<'c, Database = Postgres>,
    sql: &str,
    params: &[Param],
    mut map: impl FnMut(&Row) -> Result<T, DbError>,
    limit: usize,
) -> Result<Vec<T>, DbError> {
    let mut rows = bound(sql, params).fetch(executor);
    let mut out = Vec::new();
    while out.len() < limit {
        match rows.try_next().await? {
            Some(row) => out.push(map(&Row::Postgres(&row))?),
            None => break,
        }
    }
    Ok(out)
}

pub async fn execute<'c>(
    executor: impl sqlx::Executor<'c, Database = Postgres>,
    sql: &str,
    params: &[Param],
) -> Result<u64, DbError> {
    Ok(bound(sql, params).execute(executor).await?.rows_affected())
}
