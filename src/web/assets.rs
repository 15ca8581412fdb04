//! The app's files under addresses that name their content, so that a browser may keep
//! them for a year without asking again: `/views/home.js` is also served at
//! `/views/home.<hash>.js`, where `<hash>` is the start of the SHA-256 of its bytes.
//!
//! The hashed address sits in the same folder as the plain one, so a module's relative
//! imports (`../components/page.js`) resolve to plain addresses, which the page's import
//! map (`page.rs`) sends to the hashed ones. A hashed address whose hash is not the
//! file's current one is a 404: it names content this release does not have.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use super::Assets;

/// Hex digits of the SHA-256 in a hashed address: 64 bits, plenty to tell releases apart.
const HASH_LEN: usize = 16;

/// The files that keep only their plain address: the app itself (revalidated on each
/// use), the service worker and manifest (browsers look for them at a fixed address),
/// and the API reference page's files (`/api/docs`, no part of the app).
fn keeps_plain_address(name: &str) -> bool {
    matches!(name, super::INDEX | "sw.js" | "manifest.webmanifest")
        || name.starts_with("reference/")
        || name.split('/').any(|segment| segment.starts_with('.'))
}

/// Every hashed file: its name (`views/home.js`) and its hash.
static CATALOGUE: LazyLock<BTreeMap<String, String>> = LazyLock::new(|| {
    Assets::iter()
        .filter(|name| !keeps_plain_address(name))
        .filter_map(|name| {
            let file = Assets::get(&name)?;
            let hash = hex::encode(file.metadata.sha256_hash());
            Some((name.into_owned(), hash[..HASH_LEN].to_owned()))
        })
        .collect()
});

/// Every file that has a hashed address, with that address: (`/app.js`, `/app.<hash>.js`).
pub fn hashed_addresses() -> impl Iterator<Item = (String, String)> {
    CATALOGUE
        .iter()
        .map(|(name, hash)| (format!("/{name}"), format!("/{}", with_hash(name, hash))))
}

/// The hashed address of the file at `path` (`/app.css`), if it has one.
pub fn hashed_address(path: &str) -> Option<String> {
    let name = path.strip_prefix('/')?;
    let hash = CATALOGUE.get(name)?;
    Some(format!("/{}", with_hash(name, hash)))
}

/// What a hashed address asks for.
pub enum Hashed {
    /// The file, named as embedded (`views/home.js`): the hash is its content's.
    Current(String),
    /// A file of the app, but not with this content: another release's.
    Stale,
}

/// `path` read as a hashed address (`/views/home.<hash>.js`), or `None` when it is not
/// one of a file that has such an address.
pub fn lookup(path: &str) -> Option<Hashed> {
    let name = path.strip_prefix('/')?;
    let (folder, file) = name.rsplit_once('/').unwrap_or(("", name));
    let mut parts = file.rsplitn(3, '.');
    let (extension, hash, stem) = (parts.next()?, parts.next()?, parts.next()?);
    let looks_hashed = hash.len() == HASH_LEN
        && hash
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if !looks_hashed || stem.is_empty() {
        return None;
    }
    let plain = if folder.is_empty() {
        format!("{stem}.{extension}")
    } else {
        format!("{folder}/{stem}.{extension}")
    };
    let current = CATALOGUE.get(&plain)?;
    Some(if current == hash {
        Hashed::Current(plain)
    } else {
        Hashed::Stale
    })
}

/// `views/home.js` with `0123456789abcdef`: `views/home.0123456789abcdef.js`.
fn with_hash(name: &str, hash: &str) -> String {
    match name.rsplit_once('.') {
        Some((stem, extension)) if !stem.is_empty() && !stem.ends_with('/') => {
            format!("{stem}.{hash}.{extension}")
        }
        _ => format!("{name}.{hash}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hashed_address_keeps_the_folder_and_the_extension() {
        assert_eq!(
            with_hash("views/home.js", "0123456789abcdef"),
            "views/home.0123456789abcdef.js"
        );
        assert_eq!(
            with_hash("app.css", "0123456789abcdef"),
            "app.0123456789abcdef.css"
        );
    }

    #[test]
    fn every_hashed_address_reads_back_as_its_file() {
        let mut count = 0;
        for (plain, hashed) in hashed_addresses() {
            match lookup(&hashed) {
                Some(Hashed::Current(name)) => assert_eq!(format!("/{name}"), plain),
                _ => panic!("{hashed} does not read back as {plain}"),
            }
            count += 1;
        }
        assert!(count > 50, "{count} hashed files");
    }

    #[test]
    fn the_app_the_worker_the_manifest_and_the_reference_keep_plain_addresses() {
        for path in [
            "/index.html",
            "/sw.js",
            "/manifest.webmanifest",
            "/reference/reference.js",
        ] {
            assert_eq!(hashed_address(path), None, "{path}");
        }
        assert!(hashed_address("/app.js").is_some());
        assert!(hashed_address("/icons/logo.svg").is_some());
    }

    #[test]
    fn another_hash_is_stale_and_other_addresses_are_not_hashed() {
        assert!(matches!(
            lookup("/app.0000000000000000.js"),
            Some(Hashed::Stale)
        ));
        for path in [
            "/app.js",
            "/nothing.0123456789abcdef.js",
            "/app.0123456789ABCDEF.js",
            "/app.012345.js",
            "/messages/12",
        ] {
            assert!(lookup(path).is_none(), "{path}");
        }
    }
}
