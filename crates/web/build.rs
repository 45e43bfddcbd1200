//! Vendors the browser code the pages use from npm, at the versions `assets/package-lock.json`
//! pins: zxing-wasm's QR reader (a script and its WebAssembly), which the check-in camera
//! page runs. `npm ci` installs them into this build's `OUT_DIR` (the source tree is left as
//! it is), and the server embeds them. Without npm the server still builds and the check-in
//! page offers search by name only, saying why; the build prints a warning.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The files embedded, from the installed package: (in the package, as the server names it).
const VENDORED: [(&str, &str); 2] =
    [("dist/iife/reader/index.js", "zxing-reader.js"), ("dist/reader/zxing_reader.wasm", "zxing_reader.wasm")];

fn main() {
    println!("cargo:rerun-if-changed=assets/package.json");
    println!("cargo:rerun-if-changed=assets/package-lock.json");
    println!("cargo:rustc-check-cfg=cfg(guildhall_no_scanner)");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    match vendor(&manifest.join("assets"), &out) {
        Ok(()) => {}
        Err(why) => {
            println!("cargo:warning=the check-in camera scanner is left out: {why}");
            println!("cargo:rustc-cfg=guildhall_no_scanner");
            for (_, name) in VENDORED {
                std::fs::write(out.join(name), b"").expect("OUT_DIR is writable");
            }
        }
    }
}

fn vendor(assets: &Path, out: &Path) -> Result<(), String> {
    let install = out.join("npm");
    std::fs::create_dir_all(&install).map_err(|e| e.to_string())?;
    for file in ["package.json", "package-lock.json"] {
        std::fs::copy(assets.join(file), install.join(file)).map_err(|e| format!("{file}: {e}"))?;
    }
    let package = install.join("node_modules/zxing-wasm");
    if !package.join("package.json").exists() {
        let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };
        let status = Command::new(npm)
            .args(["ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&install)
            .status()
            .map_err(|e| format!("npm could not be run ({e}); install Node.js and npm to include it"))?;
        if !status.success() {
            return Err(format!("npm ci failed ({status})"));
        }
    }
    for (from, to) in VENDORED {
        std::fs::copy(package.join(from), out.join(to)).map_err(|e| format!("zxing-wasm/{from}: {e}"))?;
    }
    Ok(())
}
