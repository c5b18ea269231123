//! Preload hints for a lazy page's code (server only). With `--split`, a page's own WASM chunks
//! are fetched by the main file once it runs; a direct visit would wait for the main file,
//! then for the chunks. The page's answer names them in a `Link` header instead, so the
//! browser fetches them alongside the main file. It reads the build's chunk list once, at
//! start-up; a build without `--split` has none, and pages then carry no hint.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use axum::http::{header, HeaderValue};
use leptos::config::LeptosOptions;
use leptos::prelude::use_context;

/// Each lazy page's `Link` header value, by the page's name (`job_status`).
#[derive(Debug, Default)]
pub struct ChunkHints {
    by_page: HashMap<String, HeaderValue>,
}

impl ChunkHints {
    /// The hints of the build in `options`' site folder: its split manifest, under its
    /// content-hashed name when the build hashed names (`hash.txt` beside the binary).
    pub fn load(options: &LeptosOptions) -> ChunkHints {
        let hashes = options
            .hash_files
            .then(|| crate::edge::assets::hash_list(options.hash_file.as_ref()))
            .flatten()
            .and_then(|file| std::fs::read_to_string(file).ok());
        let name = match hashes.as_deref().and_then(manifest_hash) {
            Some(hash) => format!("__wasm_split_manifest.{hash}.json"),
            None => "__wasm_split_manifest.json".to_string(),
        };
        let pkg = options.site_pkg_dir.as_ref();
        let file = Path::new(options.site_root.as_ref()).join(pkg).join(name);
        match std::fs::read_to_string(&file) {
            Ok(json) => ChunkHints::from_manifest(&json, &format!("/{pkg}")).unwrap_or_else(|e| {
                tracing::warn!(file = %file.display(), error = %e, "the build's chunk list couldn't be read: pages go without preload hints");
                ChunkHints::default()
            }),
            Err(_) => ChunkHints::default(),
        }
    }

    /// From a split manifest (`{ "__<page>_view_<n>": ["chunk_8.<hash>", …] }`) and the URL
    /// path the built files are served under.
    fn from_manifest(json: &str, pkg_path: &str) -> Result<ChunkHints, serde_json::Error> {
        let manifest: HashMap<String, Vec<String>> = serde_json::from_str(json)?;
        let by_page = manifest
            .into_iter()
            .filter_map(|(key, chunks)| {
                let page = key.strip_prefix("__")?.rsplit_once("_view_")?.0.to_string();
                let links = chunks
                    .iter()
                    .map(|chunk| format!("<{pkg_path}/{chunk}.wasm>; rel=preload; as=fetch; type=\"application/wasm\"; crossorigin"))
                    .collect::<Vec<_>>()
                    .join(", ");
                Some((page, HeaderValue::from_str(&links).ok()?))
            })
            .collect();
        Ok(ChunkHints { by_page })
    }

    fn for_page(&self, page: &str) -> Option<&HeaderValue> {
        self.by_page.get(page)
    }
}

/// The `hash.txt` line naming the manifest's hash (`manifest: <hash>`).
fn manifest_hash(hashes: &str) -> Option<&str> {
    hashes.lines().find_map(|line| line.trim().strip_prefix("manifest:")).map(str::trim)
}

/// Adds the hint for the lazy page `route` (its route type's name, `JobStatus`) to the answer
/// being rendered, from the `Arc<ChunkHints>` the server provides to every page. Call it from
/// the page's view on the server.
pub fn hint(route: &str) {
    let (Some(hints), Some(response)) = (use_context::<Arc<ChunkHints>>(), use_context::<leptos_axum::ResponseOptions>()) else {
        return;
    };
    if let Some(value) = hints.for_page(&snake_case(route)) {
        response.append_header(header::LINK, value.clone());
    }
}

/// `JobStatus` → `job_status`: how `#[lazy_route]` names a page's split.
fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = r#"{
        "__job_status_view_5660607423378134339": ["chunk_8.aaa", "split___job_status_view_5660607423378134339.bbb"],
        "__states_view_5660607423378134339": ["chunk_9.ccc"],
        "fault_controls_15376616719898535996": ["chunk_1.ddd"]
    }"#;

    #[test]
    fn each_lazy_page_names_its_chunks_as_fetch_preloads() {
        let hints = ChunkHints::from_manifest(MANIFEST, "/pkg").unwrap();
        assert_eq!(
            hints.for_page("job_status").unwrap(),
            "</pkg/chunk_8.aaa.wasm>; rel=preload; as=fetch; type=\"application/wasm\"; crossorigin, \
             </pkg/split___job_status_view_5660607423378134339.bbb.wasm>; rel=preload; as=fetch; type=\"application/wasm\"; crossorigin"
        );
        assert_eq!(hints.for_page("states").unwrap(), "</pkg/chunk_9.ccc.wasm>; rel=preload; as=fetch; type=\"application/wasm\"; crossorigin");
        // A chunk that isn't a page's (a lazy component's) is fetched when it is needed.
        assert_eq!(hints.by_page.len(), 2);
    }

    #[test]
    fn route_types_are_named_as_their_splits() {
        assert_eq!(snake_case("JobStatus"), "job_status");
        assert_eq!(snake_case("SignIn"), "sign_in");
        assert_eq!(snake_case("States"), "states");
    }

    #[test]
    fn the_manifest_hash_is_read_from_the_build_list() {
        assert_eq!(manifest_hash("js: a\nwasm: b\nmanifest: 5qFg\nsplit: c\n"), Some("5qFg"));
        assert_eq!(manifest_hash("js: a\n"), None);
    }

    #[test]
    fn a_broken_manifest_is_an_error_not_a_panic() {
        assert!(ChunkHints::from_manifest("{", "/pkg").is_err());
    }
}
