//! Parquet copies of the quote and actor tables (`--format parquet`), for Spark, DuckDB, pandas
//! and polars. Rows are decoded from the very JSON lines of `quotes.jsonl` and `actors.jsonl`
//! (arrow-json, against the fixed schemas below), so the two formats cannot drift apart; nested
//! fields (cue, speaker, stance, scores) stay nested, as structs and maps. Input fields stancer
//! does not know (kept in the JSONL records) are not in the Parquet tables.

use anyhow::{Context, Result};
use arrow_json::reader::{Decoder, ReaderBuilder};
use arrow_schema::{DataType, Field, Fields, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use std::io::Write;
use std::sync::Arc;

/// Rows per decoded batch and per row group: writing holds at most this many rows.
const ROW_GROUP: usize = 65_536;

/// A Parquet file written row by row from JSON objects with a fixed schema.
struct ParquetTable<W: Write + Send> {
    decoder: Decoder,
    writer: ArrowWriter<W>,
}

impl<W: Write + Send> ParquetTable<W> {
    /// Starts a Snappy-compressed file with `schema` on `out`.
    fn new(out: W, schema: Schema) -> Result<Self> {
        let schema: SchemaRef = Arc::new(schema);
        let properties = WriterProperties::builder()
            .set_max_row_group_row_count(Some(ROW_GROUP))
            .set_compression(Compression::SNAPPY)
            .build();
        Ok(Self {
            decoder: ReaderBuilder::new(schema.clone())
                .with_batch_size(ROW_GROUP)
                .build_decoder()?,
            writer: ArrowWriter::try_new(out, schema, Some(properties))?,
        })
    }

    /// Adds one row: a JSON object (one JSONL line, without its newline).
    fn push(&mut self, json: &[u8]) -> Result<()> {
        let read = self.decoder.decode(json)?;
        anyhow::ensure!(read == json.len(), "a row is not one JSON object");
        if self.decoder.len() >= ROW_GROUP {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        if let Some(batch) = self.decoder.flush()? {
            self.writer.write(&batch)?;
        }
        Ok(())
    }

    /// Writes the last rows and the footer.
    fn finish(mut self) -> Result<()> {
        self.flush()?;
        self.writer
            .close()
            .context("cannot finish the Parquet file")?;
        Ok(())
    }
}

/// Writes the JSON lines of `lines` to `out` as a Parquet file with `schema`.
pub fn write_parquet(
    lines: impl std::io::BufRead,
    out: impl Write + Send,
    schema: Schema,
) -> Result<()> {
    let mut table = ParquetTable::new(out, schema)?;
    for (i, line) in lines.split(b'\n').enumerate() {
        let line = line?;
        table
            .push(&line)
            .with_context(|| format!("line {}", i + 1))?;
    }
    table.finish()
}

/// A `{text, start, end}` span (cue, speaker).
fn span() -> DataType {
    DataType::Struct(Fields::from(vec![
        Field::new("text", DataType::Utf8, false),
        Field::new("start", DataType::UInt64, false),
        Field::new("end", DataType::UInt64, false),
    ]))
}

/// Probability per label.
fn scores() -> DataType {
    let entries = Fields::from(vec![
        Field::new("keys", DataType::Utf8, false),
        Field::new("values", DataType::Float32, false),
    ]);
    DataType::Map(
        Arc::new(Field::new("entries", DataType::Struct(entries), false)),
        false,
    )
}

/// A stance or sentiment prediction: `{label, scores, model}`.
fn prediction() -> DataType {
    DataType::Struct(Fields::from(vec![
        Field::new("label", DataType::Utf8, false),
        Field::new("scores", scores(), false),
        Field::new("model", DataType::Utf8, false),
    ]))
}

/// `quotes.parquet`: the fields of a quote record ([`crate::quotes::Quote`]).
pub fn quote_schema() -> Schema {
    let text = |name| Field::new(name, DataType::Utf8, false);
    let offset = |name| Field::new(name, DataType::UInt64, false);
    Schema::new(vec![
        text("doc_id"),
        text("quote_id"),
        text("kind"),
        text("text"),
        offset("start"),
        offset("end"),
        offset("byte_start"),
        offset("byte_end"),
        Field::new("cue", span(), false),
        Field::new("speaker", span(), true),
        Field::new("actor_id", DataType::Utf8, true),
        Field::new("actor", DataType::Utf8, true),
        Field::new("sentiment", prediction(), true),
        Field::new("stance", prediction(), true),
    ])
}

/// `actors.parquet`: the rows of `actors.jsonl` (document and corpus level).
pub fn actor_schema() -> Schema {
    Schema::new(vec![
        Field::new("level", DataType::Utf8, false),
        Field::new("doc_id", DataType::Utf8, true),
        Field::new("actor_id", DataType::Utf8, false),
        Field::new("actor", DataType::Utf8, false),
        Field::new("label", DataType::Utf8, false),
        Field::new("scores", scores(), false),
        Field::new("confidence", DataType::Float32, false),
        Field::new("n_quotes", DataType::UInt64, false),
        Field::new("n_on_target", DataType::UInt64, false),
        Field::new(
            "evidence",
            DataType::List(Arc::new(Field::new("item", DataType::Utf8, false))),
            false,
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Float32Type, UInt64Type};
    use arrow_array::Array;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    #[test]
    fn rows_round_trip_through_parquet_with_nested_fields_and_nulls() {
        let lines = [
            r#"{"doc_id":"a","quote_id":"a:q0001","kind":"direct","text":"No.","start":1,"end":4,"byte_start":1,"byte_end":4,"cue":{"text":"said","start":6,"end":10},"speaker":{"text":"Lavrov","start":11,"end":17},"actor_id":"lavrov","actor":"Sergey Lavrov","stance":{"label":"oppose","scores":{"none":0.25,"oppose":0.75},"model":"head"},"unknown":1}"#,
            r#"{"doc_id":"b","quote_id":"b:q0001","kind":"reported","text":"that it would","start":0,"end":13,"byte_start":0,"byte_end":13,"cue":{"text":"said","start":14,"end":18}}"#,
        ];
        let file = tempfile::tempfile().unwrap();
        let mut table = ParquetTable::new(file.try_clone().unwrap(), quote_schema()).unwrap();
        for line in lines {
            table.push(line.as_bytes()).unwrap();
        }
        table.finish().unwrap();
        let reader = ParquetRecordBatchReaderBuilder::try_new(file)
            .unwrap()
            .build()
            .unwrap();
        let batches: Vec<_> = reader.map(Result::unwrap).collect();
        assert_eq!(batches.len(), 1);
        let batch = &batches[0];
        assert_eq!(batch.num_rows(), 2);
        let column = |name: &str| batch.column_by_name(name).unwrap();
        let ids = column("quote_id").as_string::<i32>();
        assert_eq!((ids.value(0), ids.value(1)), ("a:q0001", "b:q0001"));
        assert_eq!(column("end").as_primitive::<UInt64Type>().value(1), 13);
        let speaker = column("speaker").as_struct();
        assert!(speaker.is_valid(0) && speaker.is_null(1));
        assert_eq!(
            speaker
                .column_by_name("text")
                .unwrap()
                .as_string::<i32>()
                .value(0),
            "Lavrov"
        );
        let stance = column("stance").as_struct();
        assert!(stance.is_null(1));
        let scores = stance.column_by_name("scores").unwrap().as_map();
        let first = scores.value(0);
        let keys = first.column(0).as_string::<i32>();
        let values = first.column(1).as_primitive::<Float32Type>();
        assert_eq!((keys.value(1), values.value(1)), ("oppose", 0.75));
        assert!(column("actor").is_null(1));
    }

    #[test]
    fn a_row_that_breaks_the_schema_is_refused() {
        let mut table = ParquetTable::new(Vec::new(), quote_schema()).unwrap();
        let bad = table
            .push(br#"{"doc_id":"a","quote_id":"a:q1","kind":"direct","text":"x","start":"one"}"#)
            .and_then(|()| table.finish());
        assert!(bad.is_err());
    }
}
