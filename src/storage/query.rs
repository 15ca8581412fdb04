//! One query API over both databases: SQL text with `$n` placeholders, bound values, and
//! rows read by column name. Stores write each query once; `Database` runs it on SQLite
//! or PostgreSQL.

use std::borrow::Cow;

use sqlx::postgres::PgRow;

use super::{Database, Transaction};

/// Why a database call failed.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("PostgreSQL: {0}")]
    Postgres(#[from] sqlx::Error),
    #[error("the query returned no row")]
    NoRow,
    #[error("unexpected value in the database: {0}")]
    Decode(String),
    #[error("a shared lookup failed: {0}")]
    Shared(String),
    #[error("the write transaction was lost before it was committed; nothing was saved")]
    Lost,
}

impl DbError {
    /// The database could not be reached (a lost connection, no connection free in time),
    /// as opposed to a statement that failed: worth trying again shortly.
    pub fn is_unavailable(&self) -> bool {
        match self {
            DbError::Postgres(sqlx::Error::PoolTimedOut) => true,
            DbError::Postgres(_) => super::postgres::connection_lost(self),
            _ => false,
        }
    }

    /// A `UNIQUE` (or primary key) constraint refused the write.
    pub fn is_unique_violation(&self) -> bool {
        match self {
            DbError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => matches!(
                e.extended_code,
                rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                    | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
            ),
            DbError::Postgres(sqlx::Error::Database(e)) => e.is_unique_violation(),
            _ => false,
        }
    }

    /// PostgreSQL ended this statement to break a deadlock (SQLSTATE 40P01); it changed
    /// nothing, and may be run again.
    pub fn is_deadlock(&self) -> bool {
        match self {
            DbError::Postgres(sqlx::Error::Database(e)) => e.code().as_deref() == Some("40P01"),
            _ => false,
        }
    }
}

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

impl Row<'_> {
    pub fn try_get<T: Column>(&self, name: &str) -> Result<T, DbError> {
        match self {
            Row::Sqlite(row, names) => match names.iter().position(|column| column == name) {
                Some(index) => Ok(row.get(index)?),
                None => Ok(row.get(name)?),
            },
            Row::Postgres(row) => T::from_postgres(row, name),
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

    pub async fn fetch_all<'e, T>(
        self,
        on: impl Into<On<'e>>,
        map: impl FnMut(&Row) -> Result<T, DbError>,
    ) -> Result<Vec<T>, DbError> {
        super::run(on.into(), self, map, usize::MAX).await
    }

    pub async fn fetch_optional<'e, T>(
        self,
        on: impl Into<On<'e>>,
        map: impl FnMut(&Row) -> Result<T, DbError>,
    ) -> Result<Option<T>, DbError> {
        Ok(super::run(on.into(), self, map, 1).await?.pop())
    }

    pub async fn fetch_one<'e, T>(
        self,
        on: impl Into<On<'e>>,
        map: impl FnMut(&Row) -> Result<T, DbError>,
    ) -> Result<T, DbError> {
        self.fetch_optional(on, map).await?.ok_or(DbError::NoRow)
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
        self.query.fetch_one(on, |row| row.first()).await
    }

    pub async fn fetch_optional<'e>(self, on: impl Into<On<'e>>) -> Result<Option<T>, DbError> {
        self.query.fetch_optional(on, |row| row.first()).await
    }

    pub async fn fetch_all<'e>(self, on: impl Into<On<'e>>) -> Result<Vec<T>, DbError> {
        self.query.fetch_all(on, |row| row.first()).await
    }
}
