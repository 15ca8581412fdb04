//! The modules the first page needs: `app.js` and everything it imports statically, found
//! by reading their `import … from '…'` lines. The page preloads only these, so that they
//! arrive at once rather than one level of imports at a time, while each screen's own code
//! (a dynamic `import()` in `routes.js`) waits until it is shown. A JavaScript parser would
//! be a large dependency for reading the first lines of our own modules, which keep their
//! imports one statement a line, or with `} from '…';` closing a longer one.

use std::collections::BTreeSet;

use super::Assets;

/// Plain addresses (`/router.js`) of the modules `entry` loads before it runs.
pub fn static_graph(entry: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut waiting = vec![entry.to_owned()];
    while let Some(module) = waiting.pop() {
        if !found.insert(module.clone()) {
            continue;
        }
        let Some(file) = Assets::get(module.trim_start_matches('/')) else {
            continue;
        };
        let source = String::from_utf8_lossy(&file.data);
        waiting.extend(
            static_imports(&source)
                .filter_map(|specifier| resolve(&module, specifier))
                .filter(|imported| !found.contains(imported)),
        );
    }
    found
}

/// The specifiers of a module's static imports and re-exports.
fn static_imports(source: &str) -> impl Iterator<Item = &str> {
    source.lines().filter_map(|line| {
        let line = line.trim_start();
        let is_import = line.starts_with("import ")
            || line.starts_with("} from ")
            || (line.starts_with("export ") && line.contains(" from '"));
        if !is_import {
            return None;
        }
        let quoted = line
            .rsplit_once(" from '")
            .map_or_else(|| line.strip_prefix("import '"), |(_, quoted)| Some(quoted))?;
        quoted.split('\'').next()
    })
}

/// `./x.js` or `../x.js` from the module at `from` (`/views/home.js`), as a plain address.
fn resolve(from: &str, specifier: &str) -> Option<String> {
    if specifier.starts_with('/') {
        return Some(specifier.to_owned());
    }
    if !specifier.starts_with('.') {
        return None;
    }
    let mut parts: Vec<&str> = from.split('/').filter(|part| !part.is_empty()).collect();
    parts.pop();
    for part in specifier.split('/') {
        match part {
            "." => {}
            ".." => {
                parts.pop()?;
            }
            name => parts.push(name),
        }
    }
    Some(format!("/{}", parts.join("/")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_page_loads_the_frame_and_no_screen() {
        let graph = static_graph("/app.js");
        for needed in [
            "/app.js",
            "/router.js",
            "/routes.js",
            "/session.js",
            "/api.js",
        ] {
            assert!(graph.contains(needed), "{needed} in {graph:?}");
        }
        assert!(graph.contains("/components/dom.js"), "{graph:?}");
        assert!(
            !graph.iter().any(|module| module.starts_with("/views/")),
            "screens load when shown: {graph:?}"
        );
    }

    #[test]
    fn imports_are_read_and_resolved() {
        let source = "import { a } from './a.js';\nimport {\n  b,\n} from '../b.js';\nimport './c.js';\nexport { d } from './d.js';\nconst e = () => import('./e.js');\nconst text = 'from here';\n";
        let found: Vec<_> = static_imports(source)
            .filter_map(|s| resolve("/views/x.js", s))
            .collect();
        assert_eq!(
            found,
            ["/views/a.js", "/b.js", "/views/c.js", "/views/d.js"]
        );
        assert_eq!(resolve("/x.js", "../../y.js"), None);
    }
}
