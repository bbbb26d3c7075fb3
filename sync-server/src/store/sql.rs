//! Queries assembled at run time (filters the caller chose) with numbered
//! placeholders, which both engines understand through sqlx's `Any` driver.
//! (`QueryBuilder<Any>` writes `?`, which PostgreSQL does not accept.)

use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, Arguments};

/// A comma-separated query parameter as a list, `default` when absent.
pub fn list_param<'a>(param: Option<&'a str>, default: &'a str) -> Vec<&'a str> {
    param
        .unwrap_or(default)
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// A value to bind.
#[derive(Debug, Clone)]
pub enum Arg {
    Text(String),
    Int(i64),
    Real(f64),
    Null,
}

impl<T: Into<Arg>> From<Option<T>> for Arg {
    fn from(v: Option<T>) -> Self {
        v.map_or(Arg::Null, Into::into)
    }
}

impl From<&str> for Arg {
    fn from(s: &str) -> Self {
        Arg::Text(s.to_string())
    }
}

impl From<String> for Arg {
    fn from(s: String) -> Self {
        Arg::Text(s)
    }
}

impl From<i64> for Arg {
    fn from(v: i64) -> Self {
        Arg::Int(v)
    }
}

impl From<f64> for Arg {
    fn from(v: f64) -> Self {
        Arg::Real(v)
    }
}

/// SQL text and the values of its `$1`, `$2`, ... placeholders.
#[derive(Debug, Clone, Default)]
pub struct Sql {
    text: String,
    args: Vec<Arg>,
}

impl Sql {
    pub fn new(text: &str) -> Sql {
        Sql {
            text: text.to_string(),
            args: Vec::new(),
        }
    }

    pub fn push(&mut self, text: &str) -> &mut Sql {
        self.text.push_str(text);
        self
    }

    /// Appends the next placeholder and remembers its value.
    pub fn bind(&mut self, value: impl Into<Arg>) -> &mut Sql {
        self.args.push(value.into());
        self.text.push_str(&format!("${}", self.args.len()));
        self
    }

    /// `AND (column = unit OR column starts with "unit/")`: a unit of the
    /// hierarchy and everything below it. Ids may contain `_`, so no LIKE.
    pub fn under(&mut self, column: &str, unit: &str) -> &mut Sql {
        self.at_or_below(column, unit).push(")")
    }

    /// ` AND (column = unit OR column starts with "unit/"`, the parenthesis
    /// left open for a further `OR`.
    fn at_or_below(&mut self, column: &str, unit: &str) -> &mut Sql {
        self.push(&format!(" AND ({column} = "))
            .bind(unit)
            .push(&format!(" OR substr({column}, 1, CAST("))
            .bind(unit.len() as i64 + 1)
            .push(" AS INTEGER)) = ")
            .bind(format!("{unit}/"))
    }

    /// `AND column is unit, below it, or above it`: `unit` starts with the
    /// column's value and a slash. Ids may contain `_`, so no LIKE.
    pub fn under_or_above(&mut self, column: &str, unit: &str) -> &mut Sql {
        self.at_or_below(column, unit)
            .push(" OR substr(")
            .bind(unit)
            .push(&format!(", 1, length({column}) + 1) = {column} || '/')"))
    }

    /// `{prefix}(v1, v2, ...)`: a bound value list, e.g. after `status IN `.
    pub fn in_list<V: Into<Arg>>(&mut self, values: impl IntoIterator<Item = V>) -> &mut Sql {
        self.push("(");
        for (i, v) in values.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(v);
        }
        self.push(")")
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// Every row of the query (prepared once only), each read by `row`.
    pub async fn rows<T>(
        &self,
        storage: &crate::store::Storage,
        row: impl Fn(&sqlx::any::AnyRow) -> Result<T, sqlx::Error>,
    ) -> Result<Vec<T>, crate::store::StorageError> {
        let rows = self
            .query()
            .persistent(false)
            .fetch_all(storage.pool())
            .await?;
        Ok(rows.iter().map(row).collect::<Result<_, _>>()?)
    }

    /// The query with every value bound, ready to run.
    pub fn query(&self) -> Query<'_, Any, AnyArguments<'_>> {
        let mut args = AnyArguments::default();
        for a in &self.args {
            // Adding a plain value to `Any` arguments does not fail.
            let _ = match a {
                Arg::Text(s) => args.add(s.as_str()),
                Arg::Int(v) => args.add(*v),
                Arg::Real(v) => args.add(*v),
                Arg::Null => args.add(None::<i64>),
            };
        }
        sqlx::query_with(&self.text, args)
    }
}
