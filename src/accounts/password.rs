//! Password hashing with argon2id, off the async executor and with bounded concurrency,
//! so a flood of sign-ins queues up instead of stalling every other request.

use std::sync::Arc;

use anyhow::Context;
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString,
};
use argon2::{Algorithm, Argon2, Params, Version};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Semaphore;

/// OWASP's recommended argon2id parameters: 19 MiB of memory, 2 passes, 1 lane.
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

#[derive(Clone)]
pub struct Hasher {
    permits: Arc<Semaphore>,
    /// Verified against when the user does not exist, so both cases take the same time.
    dummy_hash: Arc<str>,
}

impl Default for Hasher {
    fn default() -> Self {
        Hasher::new()
    }
}

impl Hasher {
    pub fn new() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let dummy = hash_now(&SecretString::from("a password nobody has".to_owned()))
            .expect("hashing a constant works");
        Hasher {
            permits: Arc::new(Semaphore::new(cores)),
            dummy_hash: dummy.into(),
        }
    }

    pub async fn hash(&self, password: SecretString) -> anyhow::Result<String> {
        let _permit = self.permits.acquire().await?;
        tokio::task::spawn_blocking(move || hash_now(&password)).await?
    }

    /// True when `password` matches `stored`; with no stored hash, verifies against the
    /// dummy and answers false, taking the same time as a real miss.
    pub async fn verify(
        &self,
        password: SecretString,
        stored: Option<String>,
    ) -> anyhow::Result<bool> {
        let _permit = self.permits.acquire().await?;
        let exists = stored.is_some();
        let hash = stored.unwrap_or_else(|| self.dummy_hash.to_string());
        let matches = tokio::task::spawn_blocking(move || verify_now(&password, &hash)).await??;
        Ok(exists && matches)
    }
}

fn hash_now(password: &SecretString) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.expose_secret().as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| anyhow::anyhow!("argon2 hashing failed: {e}"))
}

fn verify_now(password: &SecretString, stored: &str) -> anyhow::Result<bool> {
    let parsed = PasswordHash::new(stored)
        .map_err(|e| anyhow::anyhow!("{e}"))
        .context("a stored password hash is malformed")?;
    Ok(argon2()
        .verify_password(password.expose_secret().as_bytes(), &parsed)
        .is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_only_its_password() {
        let hasher = Hasher::new();
        let hash = hasher
            .hash(SecretString::from("correct horse".to_owned()))
            .await
            .unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(hasher
            .verify(
                SecretString::from("correct horse".to_owned()),
                Some(hash.clone())
            )
            .await
            .unwrap());
        assert!(!hasher
            .verify(SecretString::from("wrong horse".to_owned()), Some(hash))
            .await
            .unwrap());
        assert!(!hasher
            .verify(SecretString::from("a password nobody has".to_owned()), None)
            .await
            .unwrap());
    }
}
