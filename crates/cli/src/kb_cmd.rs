//! `guildhall kb import PATH…`, `guildhall kb export DIR` and `guildhall bench kb`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use guildhall_app::knowledge::SearchRequest;
use guildhall_app::records::PageRequest;
use guildhall_app::{App, AppError};

/// The endings of article files found in a folder (a file named on the command line is
/// read whatever its name).
const ARTICLE_ENDINGS: &[&str] = &["md", "markdown", "yml", "yaml", "txt", "html", "htm"];

/// Every article file under `paths` (files as given, folders walked), in path order.
fn article_paths(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
        if meta.is_dir() {
            walk(path, &mut found)?;
        } else {
            found.push(path.clone());
        }
    }
    Ok(found)
}

fn walk(dir: &Path, found: &mut Vec<PathBuf>) -> Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .collect::<std::io::Result<Vec<_>>>()?;
    entries.sort_by_key(|e| e.path());
    for entry in entries {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().to_string();
        if name.starts_with('.') {
            continue;
        }
        if entry.file_type()?.is_dir() {
            walk(&path, found)?;
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| ARTICLE_ENDINGS.contains(&e.to_ascii_lowercase().as_str()))
        {
            found.push(path);
        }
    }
    Ok(())
}

/// Reads the files as `(name, text)`, the name as given (relative paths stay relative).
fn read_files(paths: &[PathBuf]) -> Result<Vec<(String, String)>> {
    paths
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {} as UTF-8 text", path.display()))?;
            Ok((path.display().to_string(), text))
        })
        .collect()
}

/// Imports article files; prints every problem and exits non-zero if any.
pub async fn import(app: &App, paths: &[PathBuf], dry_run: bool) -> Result<()> {
    let started = Instant::now();
    let files = read_files(&article_paths(paths)?)?;
    let count = files.len();
    match app.import_kb_files_from_command_line(files, dry_run).await {
        Ok(report) if report.dry_run => {
            say!("All {count} article files are valid; nothing was imported (dry run).");
            Ok(())
        }
        Ok(report) => {
            say!(
                "Imported {count} article files in {:.1} s: {} new, {} updated, {} unchanged.",
                started.elapsed().as_secs_f64(),
                report.created,
                report.updated,
                report.unchanged
            );
            Ok(())
        }
        Err(AppError::Validation { message, fields }) => {
            for line in fields.values() {
                eprintln!("  {line}");
            }
            bail!("{message}")
        }
        Err(other) => Err(other.into()),
    }
}

/// Writes every article with a file id into `dir` as an article file.
pub async fn export(app: &App, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let files = app.export_kb_files().await?;
    for (name, text) in &files {
        let path = dir.join(name);
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    say!("Exported {} articles to {}.", files.len(), dir.display());
    Ok(())
}

/// Generates `count` article files into a temporary folder, imports them into the
/// configured database (timed: reading, checking and writing), then times searches.
pub async fn bench(app: &App, count: usize, keep: Option<&Path>) -> Result<()> {
    let dir = match keep {
        Some(dir) => dir.to_path_buf(),
        None => std::env::temp_dir().join(format!("guildhall-bench-kb-{}", std::process::id())),
    };
    std::fs::create_dir_all(&dir)?;
    let generated = Instant::now();
    let files = guildhall_app::demo::knowledge::kb_article_files(1_000_001, count);
    let bytes: usize = files.iter().map(|(_, t)| t.len()).sum();
    for (name, text) in &files {
        std::fs::write(dir.join(name), text)?;
    }
    drop(files);
    say!(
        "Generated {count} article files ({:.1} MB) in {} in {:.1} s",
        bytes as f64 / 1e6,
        dir.display(),
        generated.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    import(app, std::slice::from_ref(&dir), false).await?;
    say!("kb import of {count} files (read, check, write): {:.2} s", started.elapsed().as_secs_f64());
    if keep.is_none() {
        std::fs::remove_dir_all(&dir).ok();
    }
    let queries = ["torque", "pdh log", "soil bearing", "ethics", "responsible charge", "concrete", "pe exam", "audit"];
    let rounds = 200;
    let started = Instant::now();
    let mut results = 0;
    for round in 0..rounds {
        let request = SearchRequest { q: queries[round % queries.len()].into(), ..SearchRequest::default() };
        results += app.search_knowledge(None, &request, PageRequest::new(1, 20)).await?.items.len();
    }
    let elapsed = started.elapsed();
    say!(
        "search: {rounds} searches in {:.2} s, {:.2} ms each ({results} results shown)",
        elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1000.0 / rounds as f64
    );
    Ok(())
}
