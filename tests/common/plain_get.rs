//! A GET as it comes off the wire, for tests of caching and compression: its status,
//! headers and body bytes, with no cookies and nothing decompressed.

pub struct Fetched {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Vec<u8>,
}

impl Fetched {
    /// The header's value, or "" when absent.
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap())
            .unwrap_or("")
    }
}

/// A GET of `path` with these headers; reqwest here decompresses nothing by itself.
pub async fn fetch(server: &super::App, path: &str, headers: &[(&str, &str)]) -> Fetched {
    let mut request = reqwest::Client::new().get(format!("{}{path}", server.base()));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    Fetched {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        body: response.bytes().await.unwrap().to_vec(),
    }
}
