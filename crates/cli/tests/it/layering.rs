//! The shape the code keeps (docs/ARCHITECTURE.md): a feature area is one folder with the
//! same name in store, app, web and templates; areas never import each other in a circle;
//! each area's `mod.rs` opens with a map of its files; web never reaches the store.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The folders of a crate's `src` that are modules (they hold a `mod.rs`).
fn areas(krate: &str) -> BTreeSet<String> {
    let src = root().join("crates").join(krate).join("src");
    std::fs::read_dir(&src)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.path().join("mod.rs").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

/// Which other areas of the same crate each area's files name (`crate::other…`).
fn area_imports(krate: &str) -> BTreeMap<String, BTreeSet<String>> {
    let all = areas(krate);
    let src = root().join("crates").join(krate).join("src");
    let mut edges = BTreeMap::new();
    for area in &all {
        let mut uses = BTreeSet::new();
        for file in rust_files(&src.join(area)) {
            let text = std::fs::read_to_string(&file).unwrap();
            for other in all.iter().filter(|o| *o != area) {
                let named = [":", ";", ",", "}", " "].iter().any(|end| text.contains(&format!("crate::{other}{end}")));
                if named {
                    uses.insert(other.clone());
                }
            }
        }
        edges.insert(area.clone(), uses);
    }
    edges
}

/// A circle in the graph, as the list of areas around it, if there is one.
fn circle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut found = path[at..].to_vec();
            found.push(node.to_string());
            return Some(found);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in edges.get(node).into_iter().flatten() {
            if let Some(found) = visit(next, edges, path, done) {
                return Some(found);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    edges.keys().find_map(|start| visit(start, edges, &mut Vec::new(), &mut done))
}

#[test]
fn the_circle_finder_finds_circles() {
    let graph = |pairs: &[(&str, &str)]| {
        let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (from, to) in pairs {
            edges.entry(from.to_string()).or_default().insert(to.to_string());
            edges.entry(to.to_string()).or_default();
        }
        edges
    };
    assert_eq!(circle(&graph(&[("a", "b"), ("b", "c")])), None);
    assert_eq!(circle(&graph(&[("a", "b"), ("b", "a")])), Some(vec!["a".into(), "b".into(), "a".into()]));
    assert!(circle(&graph(&[("a", "b"), ("b", "c"), ("c", "a"), ("d", "a")])).is_some());
}

#[test]
fn no_area_imports_another_in_a_circle() {
    for krate in ["store", "app", "web"] {
        let edges = area_imports(krate);
        assert!(circle(&edges).is_none(), "{krate}: areas import each other in a circle: {:?}", circle(&edges));
    }
}

#[test]
fn every_area_is_the_same_folder_in_store_app_web_and_templates() {
    let store = areas("store");
    assert!(store.len() >= 5, "the store has its areas as folders: {store:?}");
    let templates = root().join("crates/web/templates");
    for area in &store {
        assert!(areas("app").contains(area), "app/src/{area}/ is missing");
        assert!(areas("web").contains(area), "web/src/{area}/ is missing");
        assert!(templates.join(area).is_dir(), "web/templates/{area}/ is missing");
    }
}

#[test]
fn every_area_opens_with_a_map_of_its_files() {
    for krate in ["store", "app", "web"] {
        for area in areas(krate) {
            let folder = root().join("crates").join(krate).join("src").join(&area);
            let text = std::fs::read_to_string(folder.join("mod.rs")).unwrap();
            let doc: String = text.lines().take_while(|l| l.starts_with("//!")).collect::<Vec<_>>().join("\n");
            assert!(!doc.is_empty(), "{krate}/src/{area}/mod.rs opens without a description");
            for file in std::fs::read_dir(&folder).unwrap().filter_map(Result::ok) {
                let name = file.file_name().to_string_lossy().into_owned();
                if name != "mod.rs" && name.ends_with(".rs") {
                    assert!(
                        doc.contains(&format!("`{name}`")),
                        "{krate}/src/{area}/mod.rs's map does not name `{name}`"
                    );
                }
            }
        }
    }
}

#[test]
fn web_never_reaches_the_store() {
    let manifest = std::fs::read_to_string(root().join("crates/web/Cargo.toml")).unwrap();
    assert!(!manifest.contains("guildhall-store"), "guildhall-web depends on the store crate");
    for file in rust_files(&root().join("crates/web/src")) {
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(!text.contains("guildhall_store"), "{} names the store crate", file.display());
    }
}

/// The OpenAPI document names each schema after its Rust type, and one name given to two
/// types describes only one of them (utoipa keeps the last): every type the API documents
/// has a name of its own.
#[test]
fn every_schema_of_the_api_has_a_name_of_its_own() {
    let mut seen: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for file in rust_files(&root().join("crates/web/src")) {
        let text = std::fs::read_to_string(&file).unwrap();
        let mut documented = false;
        for line in text.lines().map(str::trim) {
            if line.starts_with("#[derive(") && line.contains("ToSchema") {
                documented = true;
            } else if documented && (line.starts_with("pub struct ") || line.starts_with("pub enum ")) {
                let name = line.split_whitespace().nth(2).unwrap().trim_end_matches(['{', '(', ';']).to_string();
                seen.entry(name).or_default().push(file.display().to_string());
                documented = false;
            }
        }
    }
    let clashes: Vec<_> = seen.iter().filter(|(_, files)| files.len() > 1).collect();
    assert!(seen.len() > 50, "only {} documented types found", seen.len());
    assert!(clashes.is_empty(), "schema names used twice: {clashes:?}");
}
