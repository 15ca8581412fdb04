//! Databases of their own: one per test (SQLite in a temporary folder, or PostgreSQL when
//! `TEST_POSTGRES_URL` is set), and the throwaway PostgreSQL database the benches use.
//! Shared by the tests and the benches (`benches/common/mod.rs` includes this file).
#![allow(dead_code)]

use anyhow::Context;
use sqlx::Connection;

/// A new database `<prefix>_<random>` on the PostgreSQL server of `admin_url`.
pub struct PostgresDatabase {
    admin_url: String,
    pub name: String,
    pub url: String,
}

impl PostgresDatabase {
    pub async fn create(admin_url: &str, prefix: &str) -> anyhow::Result<PostgresDatabase> {
        let name = format!("{prefix}_{}", uuid::Uuid::new_v4().simple());
        let mut admin = sqlx::PgConnection::connect(admin_url)
            .await
            .context("TEST_POSTGRES_URL is not reachable")?;
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .with_context(|| format!("could not create the database {name}"))?;
        admin.close().await?;
        let base = admin_url
            .rsplit_once('/')
            .map_or(admin_url, |(base, _)| base);
        Ok(PostgresDatabase {
            admin_url: admin_url.to_owned(),
            url: format!("{base}/{name}"),
            name,
        })
    }

    /// Drops it, ending whatever connections still use it.
    pub async fn drop_now(self) -> anyhow::Result<()> {
        let mut admin = sqlx::PgConnection::connect(&self.admin_url).await?;
        let dropped = sqlx::query(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ))
        .execute(&mut admin)
        .await;
        admin.close().await?;
        dropped.with_context(|| format!("could not drop the database {}", self.name))?;
        Ok(())
    }
}

/// Runs `run` with the URL of a new database `<prefix>_<random>` on the PostgreSQL server
/// of `admin_url`, and drops it afterwards, even when the run fails, unless `keep`.
pub async fn with_postgres_database<T>(
    admin_url: &str,
    prefix: &str,
    keep: bool,
    run: impl AsyncFnOnce(&str) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let database = PostgresDatabase::create(admin_url, prefix).await?;
    let result = run(&database.url).await;
    if keep {
        eprintln!("== kept the PostgreSQL database: {}", database.url);
        return result;
    }
    let dropped = database.drop_now().await;
    let figures = result?;
    dropped?;
    Ok(figures)
}

/// A database of this test's own, removed afterwards.
pub struct TestDb {
    pub url: String,
    dir: tempfile::TempDir,
    postgres: Option<PostgresDatabase>,
}

impl TestDb {
    pub async fn new() -> TestDb {
        let dir = tempfile::tempdir().expect("temporary folder");
        match std::env::var("TEST_POSTGRES_URL")
            .ok()
            .filter(|u| !u.is_empty())
        {
            None => TestDb {
                url: format!("sqlite://{}/healing-space.db", dir.path().display()),
                dir,
                postgres: None,
            },
            Some(admin_url) => {
                let database = PostgresDatabase::create(&admin_url, "hs_test")
                    .await
                    .expect("create the test database on TEST_POSTGRES_URL");
                TestDb {
                    url: database.url.clone(),
                    dir,
                    postgres: Some(database),
                }
            }
        }
    }

    pub fn is_postgres(&self) -> bool {
        self.postgres.is_some()
    }

    /// A direct connection, for checking what was stored.
    pub async fn connect(&self) -> sqlx::AnyConnection {
        sqlx::any::install_default_drivers();
        sqlx::AnyConnection::connect(&self.url)
            .await
            .expect("connect to the test database")
    }

    pub async fn scalar_i64(&self, sql: &str) -> i64 {
        let mut conn = self.connect().await;
        sqlx::query_scalar::<_, i64>(sql)
            .fetch_one(&mut conn)
            .await
            .expect(sql)
    }

    /// `sql`'s value once `holds` is true of it, asked again for up to 10 s: for rows the
    /// server writes or deletes a moment after its answer.
    pub async fn scalar_once(&self, sql: &str, holds: impl Fn(i64) -> bool) -> i64 {
        for _ in 0..200 {
            let value = self.scalar_i64(sql).await;
            if holds(value) {
                return value;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("{sql} never gave the value waited for");
    }

    pub async fn execute(&self, sql: &str) {
        let mut conn = self.connect().await;
        sqlx::query(sql).execute(&mut conn).await.expect(sql);
    }

    /// A folder of this test's own: the SQLite file, the server's data folder.
    pub fn dir(&self) -> &std::path::Path {
        self.dir.path()
    }
}

impl Drop for TestDb {
    /// On a thread of its own: a test's runtime may be single-threaded, or already gone.
    fn drop(&mut self) {
        let Some(database) = self.postgres.take() else {
            return;
        };
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            let _ = runtime.block_on(database.drop_now());
        })
        .join();
    }
}
