//! The knowledge base's Q&A articles as files: read, checked and written back. Pure: the
//! functions take text and return values; reading directories and storing articles is the
//! application's job.
//!
//! Files: `mod.rs` (this map), `article_file.rs` (the article file format: front matter read into
//! an [`ArticleFile`], problems with file and line, batches with duplicate ids, and writing a
//! record back so that it reads the same), `yaml.rs` (YAML front matter to JSON values with the
//! line of each key, and JSON values back to YAML), `subject.rs` (subject keys and URL slugs).

mod article_file;
mod subject;
mod yaml;

pub use article_file::{
    ArticleFile, FileProblem, RelatedLink, parse_article_file, parse_batch, url_fault, write_article_file,
};
pub use subject::{subject_key, subject_slug};
