//! `stancer._native`: the Rust side of the `stancer` Python package. It adds no behaviour of
//! its own: command lines go to the same parser and code as the binary, and batches of
//! documents go through the pipeline's own extraction and classification, so a Ray, Dask or
//! Spark job writes the records `stancer run` writes. The pandas/Arrow conversions live in
//! `stancer/__init__.py`.

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use stancer::pipeline::RunConfig;

pyo3::create_exception!(
    _native,
    StancerError,
    PyRuntimeError,
    "A stancer error: bad input, a missing model, a refused merge (the message names the file \
     or row, and gives a hint)."
);

/// The error chain and hint as the command line prints them.
fn error(e: anyhow::Error) -> PyErr {
    StancerError::new_err(stancer::cli::error_text(&e))
}

/// Runs one stancer command line in this process, e.g. `["run", "corpus.jsonl", "--out",
/// "out", "--shard", "2/4"]` or `["merge", "s1", "s2", "--out", "merged"]`. The GIL is released
/// while it runs.
#[pyfunction]
fn cli(py: Python<'_>, args: Vec<String>) -> PyResult<()> {
    use clap::Parser;
    let parsed = match stancer::cli::Cli::try_parse_from(
        std::iter::once("stancer").chain(args.iter().map(String::as_str)),
    ) {
        Ok(parsed) => parsed,
        Err(e) if !e.use_stderr() => {
            // --help and --version: what the binary prints, and no error.
            print!("{}", e.render());
            return Ok(());
        }
        Err(e) => return Err(StancerError::new_err(e.render().to_string())),
    };
    py.detach(|| parsed.run(&args)).map_err(error)
}

/// Documents from JSONL lines (`{"id", "text", …}`, one per dataframe row), checked as a corpus
/// file's lines are.
fn documents(lines: &[String]) -> PyResult<Vec<stancer::corpus::Document>> {
    stancer::corpus::parse_batch(lines).map_err(error)
}

/// The quote records of `documents` (JSONL lines `{"id", "text", …}`) as JSON lines, exactly as
/// `stancer quotes` writes them: extraction, attribution and actors, no models. `actors` is an
/// actor registry file.
#[pyfunction]
#[pyo3(signature = (documents, actors=None))]
fn extract(
    py: Python<'_>,
    documents: Vec<String>,
    actors: Option<std::path::PathBuf>,
) -> PyResult<Vec<String>> {
    let docs = self::documents(&documents)?;
    py.detach(|| {
        let registry = actors
            .as_deref()
            .map(stancer::actors::Registry::load)
            .transpose()?;
        let mut lines = Vec::new();
        for doc in &docs {
            stancer::quotes::window::for_each_window(
                doc,
                stancer::quotes::window::WINDOW_BYTES,
                &stancer::quotes::Rules,
                registry.as_ref(),
                |found| {
                    for q in found {
                        lines.push(serde_json::to_string(&q)?);
                    }
                    anyhow::Ok(())
                },
            )?;
        }
        Ok(lines)
    })
    .map_err(error)
}

/// The models, task and flags of `stancer run`, loaded once per process, that classify
/// batches of documents.
#[pyclass(frozen, module = "stancer._native")]
struct Annotator {
    config: RunConfig,
}

#[pymethods]
impl Annotator {
    /// Loads what `stancer run` with these flags loads (`["--task", "t.toml",
    /// "--no-sentiment"]`; no input paths), fetching models as the command does.
    #[new]
    fn new(py: Python<'_>, flags: Vec<String>) -> PyResult<Self> {
        let config = py
            .detach(|| stancer::cli::run::annotator(&flags))
            .map_err(error)?;
        Ok(Self { config })
    }

    /// The classified quote records of `documents` (JSONL lines `{"id", "text", …}`) as JSON
    /// lines, byte for byte the lines `stancer run` writes for them in `quotes.jsonl`.
    fn annotate(&self, py: Python<'_>, documents: Vec<String>) -> PyResult<Vec<String>> {
        let docs = self::documents(&documents)?;
        py.detach(|| {
            let mut lines = Vec::new();
            for doc in &docs {
                for q in stancer::pipeline::annotate(&self.config, doc)? {
                    lines.push(serde_json::to_string(&q)?);
                }
            }
            anyhow::Ok(lines)
        })
        .map_err(error)
    }
}

/// The module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("StancerError", m.py().get_type::<StancerError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(cli, m)?)?;
    m.add_function(wrap_pyfunction!(extract, m)?)?;
    m.add_class::<Annotator>()?;
    Ok(())
}
