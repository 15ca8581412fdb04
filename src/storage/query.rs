//! One query API over both databases: SQL text with `$n` placeholders, bound values, and
//! rows read by column name. Stores write each query once; `Database` runs it on SQLite
//! or PostgreSQL.

use std::borrow::Cow;

use serde::de::DeserializeOwned;
use sqlx::postgres::PgRow;

use super::error::DbError;
use super::{Database, Transaction};

/// A bound value. NULLs carry their type because PostgreSQL needs one.
#[derive(Debug, Clone)]
pub enum Param {
    Int(i64),
    Real(f64),
    Text(String),
    NullInt,
    NullReal,
    NullText,
}

/// What `Query::bind` accepts.
pub trait ToParam {
    fn to_param(self) -> Param;
}

impl ToParam for i64 {
    fn to_param(self) -> Param {
        Param::Int(self)
    }
}

impl ToParam for f64 {
    fn to_param(self) -> Param {
        Param::Real(self)
    }
}

impl ToParam for &str {
    fn to_param(self) -> Param {
        Param::Text(self.to_owned())
    }
}

impl ToParam for String {
    fn to_param(self) -> Param {
        Param::Text(self)
    }
}

impl ToParam for &String {
    fn to_param(self) -> Param {
        Param::Text(self.clone())
    }
}

impl ToParam for Option<i64> {
    fn to_param(self) -> Param {
        self.map_or(Param::NullInt, Param::Int)
    }
}

impl ToParam for Option<f64> {
    fn to_param(self) -> Param {
        self.map_or(Param::NullReal, Param::Real)
    }
}

impl ToParam for Option<&str> {
    fn to_param(self) -> Param {
        self.map_or(Param::NullText, |text| Param::Text(text.to_owned()))
    }
}

impl ToParam for Option<String> {
    fn to_param(self) -> Param {
        self.map_or(Param::NullText, Param::Text)
    }
}

impl ToParam for &Option<String> {
    fn to_param(self) -> Param {
        self.as_deref().to_param()
    }
}

/// One row of a result, read by column name.
pub enum Row<'r> {
    /// With the statement's column names, read once per query: rusqlite would look each
    /// name up through SQLite (and without regard to case) on every read.
    Sqlite(&'r rusqlite::Row<'r>, &'r [String]),
    Postgres(&'r PgRow),
}

/// A row type: its struct derives `sqlx::FromRow` (for PostgreSQL's rows) and
/// `serde::Deserialize` (for SQLite's, through serde_rusqlite), so each column is
/// named once, in the struct, and never mapped by hand.
pub trait FromRow: Sized + Send + Unpin {
    fn from_postgres(row: &PgRow) -> Result<Self, DbError>;
    fn from_sqlite(row: &rusqlite::Row, columns: &[String]) -> Result<Self, DbError>;
}

impl<T> FromRow for T
where
    T: for<'r> sqlx::FromRow<'r, PgRow> + DeserializeOwned + Send + Unpin,
{
    fn from_postgres(row: &PgRow) -> Result<Self, DbError> {
        Ok(T::from_row(row)?)
    }

    fn from_sqlite(row: &rusqlite::Row, columns: &[String]) -> Result<Self, DbError> {
        Ok(serde_rusqlite::from_row_with_columns(row, columns)?)
    }
}

/// Two row types read from one row, each taking the columns it names: a struct nested
/// in another with `#[serde(flatten)]` would make serde copy the whole row into a buffer
/// first, on every request that reads one.
pub struct Both<A, B>(pub A, pub B);

impl<A: FromRow, B: FromRow> FromRow for Both<A, B> {
    fn from_postgres(row: &PgRow) -> Result<Self, DbError> {
        Ok(Both(A::from_postgres(row)?, B::from_postgres(row)?))
    }

    fn from_sqlite(row: &rusqlite::Row, columns: &[String]) -> Result<Self, DbError> {
        Ok(Both(
            A::from_sqlite(row, columns)?,
            B::from_sqlite(row, columns)?,
        ))
    }
}

impl Row<'_> {
    pub fn decode<T: FromRow>(&self) -> Result<T, DbError> {
        match self {
            Row::Sqlite(row, columns) => T::from_sqlite(row, columns),
            Row::Postgres(row) => T::from_postgres(row),
        }
    }

    fn first<T: Column>(&self) -> Result<T, DbError> {
        match self {
            Row::Sqlite(row, _) => Ok(row.get(0)?),
            Row::Postgres(row) => T::from_postgres(row, 0),
        }
    }
}

/// A type a column can be read as, on either database.
pub trait Column: rusqlite::types::FromSql + Sized {
    fn from_postgres<I: sqlx::ColumnIndex<PgRow>>(row: &PgRow, index: I) -> Result<Self, DbError>;
}

macro_rules! column_via_sqlx {
    ($($t:ty),*) => {$(
        impl Column for $t {
            fn from_postgres<I: sqlx::ColumnIndex<PgRow>>(row: &PgRow, index: I) -> Result<Self, DbError> {
                Ok(sqlx::Row::try_get(row, index)?)
            }
        }
    )*};
}

column_via_sqlx!(String, Option<String>, f64, Option<f64>, bool);

// PostgreSQL types its integer expressions (a literal is `int4`, `COUNT` is `int8`), so
// an integer column is read at whatever width it arrives.
impl Column for Option<i64> {
    fn from_postgres<I: sqlx::ColumnIndex<PgRow>>(row: &PgRow, index: I) -> Result<Self, DbError> {
        use sqlx::{Row as _, TypeInfo as _, ValueRef as _};
        let value = row.try_get_raw(index)?;
        if value.is_null() {
            return Ok(None);
        }
        let wide = match value.type_info().name() {
            "INT2" => i64::from(
                sqlx::Decode::<sqlx::Postgres>::decode(value)
                    .map(|v: i16| v)
                    .map_err(sqlx::Error::Decode)?,
            ),
            "INT4" => i64::from(
                sqlx::Decode::<sqlx::Postgres>::decode(value)
                    .map(|v: i32| v)
                    .map_err(sqlx::Error::Decode)?,
            ),
            _ => sqlx::Decode::<sqlx::Postgres>::decode(value).map_err(sqlx::Error::Decode)?,
        };
        Ok(Some(wide))
    }
}

impl Column for i64 {
    fn from_postgres<I: sqlx::ColumnIndex<PgRow>>(row: &PgRow, index: I) -> Result<Self, DbError> {
        Option::<i64>::from_postgres(row, index)?.ok_or_else(|| {
            DbError::Postgres(sqlx::Error::Decode(
                "unexpected NULL in an integer column".into(),
            ))
        })
    }
}

/// A statement and its bound values, ready to run on a `Database` or in a `Transaction`.
pub struct Query<'q> {
    pub(super) sql: Cow<'q, str>,
    pub(super) params: Vec<Param>,
}

pub fn query<'q>(sql: impl Into<Cow<'q, str>>) -> Query<'q> {
    Query {
        sql: sql.into(),
        params: Vec::new(),
    }
}

/// A query whose answer is its first column.
pub fn query_scalar<'q, T: Column>(sql: impl Into<Cow<'q, str>>) -> Scalar<'q, T> {
    Scalar {
        query: query(sql),
        marker: std::marker::PhantomData,
    }
}

/// Where a query runs: on the pool, or inside a transaction.
pub enum On<'e> {
    Db(&'e Database),
    Tx(&'e mut Transaction),
}

impl<'e> From<&'e Database> for On<'e> {
    fn from(db: &'e Database) -> Self {
        On::Db(db)
    }
}

impl<'e> From<&'e mut Transaction> for On<'e> {
    fn from(tx: &'e mut Transaction) -> Self {
        On::Tx(tx)
    }
}

impl<'q> Query<'q> {
    pub fn bind(mut self, value: impl ToParam) -> Self {
        self.params.push(value.to_param());
        self
    }

    /// Every row, as `T`.
    pub async fn fetch_all<'e, T: FromRow>(self, on: impl Into<On<'e>>) -> Result<Vec<T>, DbError> {
        super::run(on.into(), self, |row| row.decode(), usize::MAX).await
    }

    pub async fn fetch_optional<'e, T: FromRow>(
        self,
        on: impl Into<On<'e>>,
    ) -> Result<Option<T>, DbError> {
        Ok(super::run(on.into(), self, |row| row.decode(), 1)
            .await?
            .pop())
    }

    pub async fn fetch_one<'e, T: FromRow>(self, on: impl Into<On<'e>>) -> Result<T, DbError> {
        self.fetch_optional(on).await?.ok_or(DbError::NoRow)
    }

    async fn first_column<'e, T: Column>(
        self,
        on: On<'e>,
        limit: usize,
    ) -> Result<Vec<T>, DbError> {
        super::run(on, self, |row| row.first(), limit).await
    }

    /// Runs a statement that returns no rows; answers how many rows it changed.
    pub async fn execute<'e>(self, on: impl Into<On<'e>>) -> Result<u64, DbError> {
        super::execute(on.into(), self).await
    }
}

pub struct Scalar<'q, T> {
    query: Query<'q>,
    marker: std::marker::PhantomData<T>,
}

impl<'q, T: Column> Scalar<'q, T> {
    pub fn bind(mut self, value: impl ToParam) -> Self {
        self.query = self.query.bind(value);
        self
    }

    pub async fn fetch_one<'e>(self, on: impl Into<On<'e>>) -> Result<T, DbError> {
        self.fetch_optional(on).await?.ok_or(DbError::NoRow)
    }

    pub async fn fetch_optional<'e>(self, on: impl Into<On<'e>>) -> Result<Option<T>, DbError> {
        Ok(self.query.first_column(on.into(), 1).await?.pop())
    }

    pub async fn fetch_all<'e>(self, on: impl Into<On<'e>>) -> Result<Vec<T>, DbError> {
        self.query.first_column(on.into(), usize::MAX).await
    }
}

/// For a `bool` field of a row struct: SQLite has no booleans and answers 0 or 1, which
/// serde_rusqlite turns into a `bool` only outside `#[serde(flatten)]`; this accepts both.
pub fn flag<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    struct Flag;
    impl serde::de::Visitor<'_> for Flag {
        type Value = bool;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a boolean, or 0 or 1")
        }
        fn visit_bool<E>(self, value: bool) -> Result<bool, E> {
            Ok(value)
        }
        fn visit_i64<E>(self, value: i64) -> Result<bool, E> {
            Ok(value != 0)
        }
        fn visit_u64<E>(self, value: u64) -> Result<bool, E> {
            Ok(value != 0)
        }
    }
    deserializer.deserialize_any(Flag)
}
