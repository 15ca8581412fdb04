//! Prometheus's text format (0.0.4), parsed as Prometheus parses it, so a scrape that
//! Prometheus would refuse fails the test.

use std::collections::{BTreeMap, HashMap};

/// One line of the text format: a series and its value.
#[derive(Debug)]
pub struct Sample {
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub value: f64,
}

/// A scrape, parsed as Prometheus parses the text format (0.0.4): every sample's family
/// has one `# TYPE`, names and labels are well formed, values are numbers.
#[derive(Debug)]
pub struct Scrape {
    pub text: String,
    pub samples: Vec<Sample>,
}

impl Scrape {
    pub fn parse(text: String) -> Scrape {
        let mut types: HashMap<String, String> = HashMap::new();
        let mut samples = Vec::new();
        for line in text.lines().filter(|l| !l.is_empty()) {
            if let Some(comment) = line.strip_prefix("# ") {
                let mut parts = comment.splitn(3, ' ');
                match (parts.next(), parts.next(), parts.next()) {
                    (Some("TYPE"), Some(name), Some(kind)) => {
                        assert!(
                            ["counter", "gauge", "histogram", "summary", "untyped"].contains(&kind),
                            "{line}"
                        );
                        assert!(types.insert(name.into(), kind.into()).is_none(), "{line}");
                    }
                    (Some("HELP"), Some(_), Some(_)) => {}
                    _ => panic!("not a HELP or TYPE line: {line}"),
                }
                continue;
            }
            let sample = parse_sample(line);
            let family = ["_bucket", "_sum", "_count"]
                .iter()
                .find_map(|suffix| {
                    let base = sample.name.strip_suffix(suffix)?;
                    (types.get(base).map(String::as_str) == Some("histogram")).then_some(base)
                })
                .unwrap_or(&sample.name);
            assert!(types.contains_key(family), "no # TYPE before {line}");
            samples.push(sample);
        }
        Scrape { text, samples }
    }

    /// The sum of the samples of `name` that have every label given.
    pub fn sum(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.matching(name, labels).map(|s| s.value).sum()
    }

    /// The value of the one sample of `name` with exactly these labels.
    pub fn value(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        let mut found = self
            .matching(name, labels)
            .filter(|s| s.labels.len() == labels.len());
        let sample = found.next()?;
        assert!(found.next().is_none(), "one series {name}{labels:?}");
        Some(sample.value)
    }

    pub fn matching<'a>(
        &'a self,
        name: &'a str,
        labels: &'a [(&'a str, &'a str)],
    ) -> impl Iterator<Item = &'a Sample> + 'a {
        self.samples.iter().filter(move |s| {
            s.name == name
                && labels
                    .iter()
                    .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
        })
    }

    pub fn label_values(&self, label: &str) -> Vec<&str> {
        self.samples
            .iter()
            .filter_map(|s| s.labels.get(label).map(String::as_str))
            .collect()
    }
}

fn parse_sample(line: &str) -> Sample {
    let name_end = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
        .unwrap_or(line.len());
    let name = &line[..name_end];
    assert!(
        !name.is_empty() && !name.starts_with(|c: char| c.is_ascii_digit()),
        "metric name: {line}"
    );
    let mut rest = &line[name_end..];
    let mut labels = BTreeMap::new();
    if let Some(inner) = rest.strip_prefix('{') {
        let mut chars = inner.char_indices().peekable();
        let mut key = String::new();
        loop {
            let (i, c) = chars
                .next()
                .unwrap_or_else(|| panic!("unclosed labels: {line}"));
            match c {
                '}' => {
                    rest = &inner[i + 1..];
                    break;
                }
                ',' => {}
                '=' => {
                    assert_eq!(chars.next().map(|(_, c)| c), Some('"'), "{line}");
                    let mut value = String::new();
                    loop {
                        match chars.next().map(|(_, c)| c) {
                            Some('"') => break,
                            Some('\\') => match chars.next().map(|(_, c)| c) {
                                Some('n') => value.push('\n'),
                                Some(escaped @ ('\\' | '"')) => value.push(escaped),
                                other => panic!("bad escape {other:?}: {line}"),
                            },
                            Some(c) => value.push(c),
                            None => panic!("unclosed label value: {line}"),
                        }
                    }
                    assert!(
                        labels.insert(std::mem::take(&mut key), value).is_none(),
                        "{line}"
                    );
                }
                c if c.is_ascii_alphanumeric() || c == '_' => key.push(c),
                _ => panic!("bad label name: {line}"),
            }
        }
    }
    let value = rest.trim();
    let value = match value {
        "+Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        other => other
            .parse()
            .unwrap_or_else(|_| panic!("not a number: {line}")),
    };
    Sample {
        name: name.to_owned(),
        labels,
        value,
    }
}
