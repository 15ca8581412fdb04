//! Where the server listens (`HOST`, `PORT`) and where people reach it (`PUBLIC_URL`,
//! behind `TRUST_PROXY`).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use url::{Host, Url};

use super::values::{echo, read_whole, Problems, Whole};
use super::{ConfigError, Mode, Source};

const PORT: Whole = Whole::count(8000, 0, u16::MAX as u64);

/// `HOST` and `PORT`, each problem reported.
pub fn read_listen(source: &dyn Source, mode: Mode) -> Result<SocketAddr, Vec<ConfigError>> {
    let mut problems = Problems::default();
    let host = problems.take(read_host(source, mode));
    let port = problems.take(read_whole(source, "PORT", PORT));
    let port = port.map(|port| u16::try_from(port).unwrap_or(u16::MAX));
    problems.finish(
        host.zip(port)
            .map(|(host, port)| SocketAddr::new(host, port)),
    )
}

fn read_host(source: &dyn Source, mode: Mode) -> Result<IpAddr, ConfigError> {
    let host = match source.get("HOST").as_deref().map(str::trim) {
        None | Some("localhost") => IpAddr::V4(Ipv4Addr::LOCALHOST),
        Some(text) => text.parse::<IpAddr>().map_err(|_| {
            ConfigError::invalid(
                "HOST",
                format!(
                    "is not an IP address: {}; use for example 127.0.0.1 or 0.0.0.0",
                    echo(text)
                ),
            )
        })?,
    };
    if mode == Mode::Development && !host.is_loopback() {
        return Err(ConfigError::invalid(
            "HOST",
            format!(
                "is {host}, but development mode only listens on a loopback address; \
                 unset DEBUG (and set SECRET_KEY) to run in production, or set HOST=127.0.0.1"
            ),
        ));
    }
    Ok(host)
}

const ORIGIN_EXAMPLE: &str = "https://healing-space.example.org";

/// `PUBLIC_URL` as an origin (scheme, host and port, as a browser writes it in `Origin`).
pub fn read_public_url(source: &dyn Source) -> Result<Option<String>, ConfigError> {
    let Some(raw) = source.get("PUBLIC_URL") else {
        return Ok(None);
    };
    let not_an_origin = |why: &str| {
        ConfigError::invalid(
            "PUBLIC_URL",
            format!(
                "{why}: {}; it must be an origin such as {ORIGIN_EXAMPLE} (scheme and host, \
                 no path)",
                echo(&raw)
            ),
        )
    };
    let url = Url::parse(raw.trim()).map_err(|_| not_an_origin("is not a web address"))?;
    if !matches!(url.scheme(), "https" | "http") || url.host().is_none() {
        return Err(not_an_origin("is not an http or https address"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(not_an_origin("holds a user name or password"));
    }
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err(not_an_origin("has a path, query or fragment"));
    }
    Ok(Some(url.origin().ascii_serialization()))
}

/// Production needs `PUBLIC_URL`: the session cookie is `Secure`, so people must reach
/// the server over https, and CSRF checks compare each request's `Origin` with it rather
/// than with a `Host` header that a proxy may rewrite. A loopback `http://` address is
/// allowed, because browsers treat it as secure, for trying the image on one's own machine.
pub fn read_public_url_for(source: &dyn Source, mode: Mode) -> Result<Option<String>, ConfigError> {
    let url = read_public_url(source)?;
    if !mode.is_production() {
        return Ok(url);
    }
    match url {
        None => Err(ConfigError::invalid(
            "PUBLIC_URL",
            format!(
                "is not set; production mode needs the https:// address people reach, for \
                 example PUBLIC_URL={ORIGIN_EXAMPLE}"
            ),
        )),
        Some(url) if url.starts_with("https://") || is_loopback_origin(&url) => Ok(Some(url)),
        Some(_) => Err(ConfigError::invalid(
            "PUBLIC_URL",
            "must start with https:// in production: the session cookie is Secure and browsers \
             drop it over plain http",
        )),
    }
}

fn is_loopback_origin(origin: &str) -> bool {
    match Url::parse(origin)
        .ok()
        .and_then(|u| u.host().map(|h| h.to_owned()))
    {
        Some(Host::Domain(name)) => name == "localhost",
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// The host of an origin that `read_public_url` accepted.
pub fn host_of(origin: &str) -> Option<String> {
    Url::parse(origin).ok()?.host_str().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public_url(value: &'static str) -> impl Fn(&str) -> Option<String> {
        move |name: &str| (name == "PUBLIC_URL").then(|| value.to_owned())
    }

    #[test]
    fn development_refuses_a_public_address() {
        let host = |name: &str| (name == "HOST").then(|| "0.0.0.0".to_owned());
        assert_eq!(
            read_listen(&host, Mode::Development).unwrap_err()[0].variable,
            "HOST"
        );
        assert!(read_listen(&host, Mode::Production).is_ok());
        let port = |name: &str| (name == "PORT").then(|| "65536".to_owned());
        assert_eq!(
            read_listen(&port, Mode::Production).unwrap_err()[0].variable,
            "PORT"
        );
    }

    #[test]
    fn public_url_must_be_an_origin() {
        assert_eq!(
            read_public_url(&public_url("https://Example.org/")).unwrap(),
            Some("https://example.org".into())
        );
        assert_eq!(
            read_public_url(&public_url("https://example.org:443")).unwrap(),
            Some("https://example.org".into()),
            "as a browser writes it in Origin"
        );
        for bad in [
            "example.org",
            "https://e.org/app",
            "https://e.org?x=1",
            "https://user:pw@e.org",
            "https://e.org:99999",
            "ftp://e.org",
            "https://",
            "https://e.org; SameSite=None",
        ] {
            let err = read_public_url(&public_url(bad)).unwrap_err();
            assert_eq!(err.variable, "PUBLIC_URL", "{bad}");
        }
    }

    #[test]
    fn production_needs_an_https_public_url() {
        let none = |_: &str| None;
        assert_eq!(
            read_public_url_for(&none, Mode::Production)
                .unwrap_err()
                .variable,
            "PUBLIC_URL"
        );
        assert_eq!(read_public_url_for(&none, Mode::Development).unwrap(), None);
        assert!(
            read_public_url_for(&public_url("http://care.example.org"), Mode::Production).is_err()
        );
        for local in [
            "http://localhost:8000",
            "http://127.0.0.1:8000",
            "http://[::1]:8000",
        ] {
            let source = move |name: &str| (name == "PUBLIC_URL").then(|| local.to_owned());
            assert!(
                read_public_url_for(&source, Mode::Production).is_ok(),
                "{local}"
            );
        }
    }
}
