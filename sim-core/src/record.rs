//! How a simulation reports what happened.
//!
//! A model declares its output tables ([`TableSpec`]) and emits rows in
//! column batches through a [`Recorder`]. The engine knows nothing of file
//! formats: the command-line tool's Arrow writer is one recorder,
//! [`MemoryRecorder`] (used by tests and by the visualizer) another.

use std::collections::BTreeMap;

/// The type of a column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnType {
    U8,
    U32,
    U64,
    F64,
    Bool,
}

/// A column of values: one of the [`ColumnType`]s.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Column {
    U8(Vec<u8>),
    U32(Vec<u32>),
    U64(Vec<u64>),
    F64(Vec<f64>),
    Bool(Vec<bool>),
}

impl Column {
    pub fn empty(ty: ColumnType) -> Column {
        match ty {
            ColumnType::U8 => Column::U8(Vec::new()),
            ColumnType::U32 => Column::U32(Vec::new()),
            ColumnType::U64 => Column::U64(Vec::new()),
            ColumnType::F64 => Column::F64(Vec::new()),
            ColumnType::Bool => Column::Bool(Vec::new()),
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Column::U8(v) => v.len(),
            Column::U32(v) => v.len(),
            Column::U64(v) => v.len(),
            Column::F64(v) => v.len(),
            Column::Bool(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn ty(&self) -> ColumnType {
        match self {
            Column::U8(_) => ColumnType::U8,
            Column::U32(_) => ColumnType::U32,
            Column::U64(_) => ColumnType::U64,
            Column::F64(_) => ColumnType::F64,
            Column::Bool(_) => ColumnType::Bool,
        }
    }

    /// Splits off the values from `at` on, leaving the first `at` here.
    pub fn split_off(&mut self, at: usize) -> Column {
        match self {
            Column::U8(v) => Column::U8(v.split_off(at)),
            Column::U32(v) => Column::U32(v.split_off(at)),
            Column::U64(v) => Column::U64(v.split_off(at)),
            Column::F64(v) => Column::F64(v.split_off(at)),
            Column::Bool(v) => Column::Bool(v.split_off(at)),
        }
    }

    /// Appends `other`, which must have the same type.
    pub fn extend(&mut self, other: Column) {
        match (self, other) {
            (Column::U8(a), Column::U8(b)) => a.extend(b),
            (Column::U32(a), Column::U32(b)) => a.extend(b),
            (Column::U64(a), Column::U64(b)) => a.extend(b),
            (Column::F64(a), Column::F64(b)) => a.extend(b),
            (Column::Bool(a), Column::Bool(b)) => a.extend(b),
            (a, b) => panic!("column type mismatch: {:?} and {:?}", a.ty(), b.ty()),
        }
    }
}

/// A column's name, type and meaning (the output schema's documentation).
#[derive(Clone, Copy, Debug)]
pub struct ColumnSpec {
    pub name: &'static str,
    pub ty: ColumnType,
    pub doc: &'static str,
}

/// An output table: its file stem (`ticks` becomes `ticks.arrow`), its
/// columns, and what one row is.
#[derive(Clone, Copy, Debug)]
pub struct TableSpec {
    pub name: &'static str,
    pub row: &'static str,
    pub columns: &'static [ColumnSpec],
}

impl TableSpec {
    /// A batch of this table from columns named as the spec names them, in
    /// the spec's order. Every column must be given once, with its type and
    /// as many rows as the others: anything else is a bug in the model,
    /// which this reports by name rather than writing a shifted table.
    pub fn batch(&self, named: Vec<(&str, Column)>) -> Batch {
        assert_eq!(
            named.len(),
            self.columns.len(),
            "table {}: {} columns given for {}",
            self.name,
            named.len(),
            self.columns.len()
        );
        let rows = named.first().map_or(0, |(_, c)| c.len());
        let mut slots: Vec<Option<Column>> = vec![None; self.columns.len()];
        for (name, column) in named {
            let Some(k) = self.columns.iter().position(|c| c.name == name) else {
                panic!("table {}: no column named {name}", self.name);
            };
            let spec = &self.columns[k];
            assert!(
                spec.ty == column.ty() && column.len() == rows && slots[k].is_none(),
                "table {}: column {name} given twice, as {:?} for {:?}, or with {} rows for {rows}",
                self.name,
                column.ty(),
                spec.ty,
                column.len()
            );
            slots[k] = Some(column);
        }
        Batch {
            columns: slots.into_iter().map(|c| c.expect("counted")).collect(),
        }
    }
}

/// Rows for one table, column by column, in the table's column order.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Batch {
    pub columns: Vec<Column>,
}

impl Batch {
    pub fn rows(&self) -> usize {
        self.columns.first().map_or(0, Column::len)
    }
}

/// Receives a simulation's output.
pub trait Recorder {
    /// Rows for the table `table` (an index into the model's table list).
    fn record(&mut self, table: usize, batch: Batch) -> std::io::Result<()>;
}

/// Keeps every table in memory.
#[derive(Debug, Default)]
pub struct MemoryRecorder {
    pub tables: BTreeMap<usize, Batch>,
}

impl MemoryRecorder {
    pub fn table(&self, index: usize) -> Option<&Batch> {
        self.tables.get(&index)
    }
}

impl Recorder for MemoryRecorder {
    fn record(&mut self, table: usize, batch: Batch) -> std::io::Result<()> {
        match self.tables.get_mut(&table) {
            Some(existing) => {
                for (col, new) in existing.columns.iter_mut().zip(batch.columns) {
                    col.extend(new);
                }
            }
            None => {
                self.tables.insert(table, batch);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: TableSpec = TableSpec {
        name: "t",
        row: "a row",
        columns: &[
            ColumnSpec {
                name: "a",
                ty: ColumnType::U64,
                doc: "",
            },
            ColumnSpec {
                name: "b",
                ty: ColumnType::F64,
                doc: "",
            },
        ],
    };

    #[test]
    fn a_batch_by_name_takes_the_spec_order() {
        let batch = SPEC.batch(vec![
            ("b", Column::F64(vec![0.5])),
            ("a", Column::U64(vec![7])),
        ]);
        assert_eq!(
            batch.columns,
            vec![Column::U64(vec![7]), Column::F64(vec![0.5])]
        );
    }

    #[test]
    #[should_panic(expected = "no column named c")]
    fn a_batch_with_an_unknown_column_name_is_refused() {
        SPEC.batch(vec![
            ("a", Column::U64(vec![7])),
            ("c", Column::F64(vec![0.5])),
        ]);
    }

    #[test]
    #[should_panic(expected = "column b")]
    fn a_batch_with_a_column_of_the_wrong_type_is_refused() {
        SPEC.batch(vec![
            ("a", Column::U64(vec![7])),
            ("b", Column::U64(vec![5])),
        ]);
    }

    #[test]
    #[should_panic(expected = "column b")]
    fn a_batch_with_columns_of_unequal_length_is_refused() {
        SPEC.batch(vec![
            ("a", Column::U64(vec![7])),
            ("b", Column::F64(vec![])),
        ]);
    }
}
