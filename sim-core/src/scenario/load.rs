//! From TOML text (and `--set` overrides) to a validated [`Scenario`].
//!
//! Two stages, as in ripgrep's low-level and high-level arguments: the text
//! is parsed with every key's and value's position kept, checked key by key
//! against the parameter table ([`params::params`]), completed with defaults, and only then turned into the
//! typed [`Scenario`] through serde. Cross-field checks run last.

use std::collections::BTreeMap;

use toml::de::{DeTable, DeValue};

use super::error::{Location, ScenarioError};
use super::params::{self, Param, Ty};
use super::types::Scenario;
use crate::models;

/// Reads a file a scenario names (a raster layer), given the path as
/// written in the scenario.
pub type ReadFile<'a> = &'a (dyn Fn(&str) -> std::io::Result<String> + Sync);

/// What the loader needs from outside the scenario text.
#[derive(Clone, Copy)]
pub struct LoadOptions<'a> {
    /// A scenario whose estimated memory exceeds this is refused before
    /// anything is allocated.
    pub memory_budget_bytes: u64,
    /// Reads files the scenario names; without it, naming one is an error.
    pub read_file: Option<ReadFile<'a>>,
    /// Knows CRSs and reads vector layers; without it, any `grid.epsg` is
    /// taken as it is and vector layers cannot be read.
    pub gis: Option<&'a dyn crate::georef::GisReader>,
}

impl std::default::Default for LoadOptions<'_> {
    fn default() -> Self {
        LoadOptions {
            memory_budget_bytes: 8 << 30,
            read_file: None,
            gis: None,
        }
    }
}

/// A value as written, before it is checked against its parameter.
#[derive(Clone, Debug)]
enum Val {
    Int(i64),
    Float(f64),
    Str(String),
    Bool(bool),
    List(Vec<Val>),
    Other(&'static str),
}

impl Val {
    fn describe(&self) -> String {
        match self {
            Val::Int(v) => format!("the integer {v}"),
            Val::Float(v) => format!("the number {v}"),
            Val::Str(v) => format!("the string \"{v}\""),
            Val::Bool(v) => format!("the boolean {v}"),
            Val::List(_) => "an array".to_string(),
            Val::Other(what) => what.to_string(),
        }
    }
}

#[derive(Clone, Debug)]
struct Given {
    val: Val,
    loc: Location,
}

/// Where each given value and section header stands. The elements of an
/// array of tables are documents of their own, under the array's section
/// name (`city.patrols[]`), each with the location of its header.
#[derive(Default)]
struct Document {
    values: BTreeMap<String, Given>,
    sections: BTreeMap<String, Location>,
    arrays: BTreeMap<String, Vec<(Location, Document)>>,
}

/// Parses, checks and resolves a scenario. `origin` names the text in error
/// messages (usually the file's path); each override is `path=value`.
pub fn load(
    origin: &str,
    text: &str,
    overrides: &[String],
    options: &LoadOptions,
) -> Result<Scenario, ScenarioError> {
    let mut doc = Document::default();
    let table = DeTable::parse(text).map_err(|e| syntax_error(origin, text, &e))?;
    collect(origin, text, table.get_ref(), "", &mut doc)?;
    for (i, set) in overrides.iter().enumerate() {
        apply_override(i, set, &mut doc)?;
    }
    let mut scenario = resolve(origin, &doc)?;
    if let Some(clock) = models::default_clock(&scenario) {
        if !doc.values.contains_key("ticks") {
            scenario.ticks = clock.ticks;
        }
        if !doc.values.contains_key("record_every") {
            scenario.record_every = clock.record_every;
        }
    }
    check_consistency(origin, &doc, &scenario, options)?;
    check_applicability(&doc)?;
    if let (Some(gis), epsg @ 1..) = (options.gis, scenario.grid.epsg) {
        gis.check_crs(epsg).map_err(|why| {
            ScenarioError::new(
                locate(origin, &doc, "grid.epsg"),
                format!("EPSG:{epsg} {why}"),
                "the EPSG code of a projected CRS in metres, or 0 for a local one",
            )
        })?;
    }
    if let Some(attach) = models::attach_files(&scenario) {
        attach(&mut scenario, &|path| locate(origin, &doc, path), options)?;
    }
    let g = &mut scenario.grid;
    g.x_origin.get_or_insert(0.0);
    g.y_origin.get_or_insert(0.0);
    g.cell_size.get_or_insert(crate::georef::DEFAULT_CELL_SIZE);
    Ok(scenario)
}

fn syntax_error(origin: &str, text: &str, e: &toml::de::Error) -> ScenarioError {
    let offset = e.span().map_or(0, |s| s.start);
    ScenarioError::new(
        Location::at(origin, text, offset),
        format!("invalid TOML: {}", e.message().trim()),
        "valid TOML syntax, e.g. `key = value` under a `[section]` header",
    )
}

fn collect(
    origin: &str,
    text: &str,
    table: &DeTable<'_>,
    prefix: &str,
    doc: &mut Document,
) -> Result<(), ScenarioError> {
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    for (key, value) in entries {
        let name: &str = key.get_ref();
        let path = if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}.{name}")
        };
        let key_loc = Location::at(origin, text, key.span().start);
        let array = format!("{path}[]");
        match value.get_ref() {
            DeValue::Array(items) if params::section(&array).is_some() => {
                doc.sections.insert(array.clone(), key_loc.clone());
                let mut elements = Vec::new();
                for item in items.iter() {
                    let loc = Location::at(origin, text, item.span().start);
                    let DeValue::Table(inner) = item.get_ref() else {
                        return Err(ScenarioError::new(
                            loc,
                            format!("an element of `{path}` is not a table"),
                            format!("[[{path}]] tables"),
                        ));
                    };
                    let mut element = Document::default();
                    collect(origin, text, inner, &array, &mut element)?;
                    elements.push((loc, element));
                }
                doc.arrays.insert(array, elements);
            }
            _ if params::section(&array).is_some() => {
                return Err(ScenarioError::new(
                    key_loc,
                    format!("`{path}` must be an array of tables"),
                    format!("[[{path}]] tables"),
                ));
            }
            DeValue::Table(inner) if params::section(&path).is_some() => {
                doc.sections.insert(path.clone(), key_loc);
                collect(origin, text, inner, &path, doc)?;
            }
            _ if params::param(&path).is_some() => {
                let loc = Location::at(origin, text, value.span().start);
                let val = convert(value.get_ref());
                doc.values.insert(path, Given { val, loc });
            }
            _ if params::section(&path).is_some() => {
                return Err(ScenarioError::new(
                    key_loc,
                    format!("`{path}` must be a section"),
                    format!("a [{path}] table"),
                ));
            }
            _ => return Err(unknown_field(key_loc, name, prefix)),
        }
    }
    Ok(())
}

fn convert(value: &DeValue<'_>) -> Val {
    match value {
        DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix())
            .map(Val::Int)
            .unwrap_or(Val::Other("an integer too large for 64 bits")),
        DeValue::Float(f) => f
            .as_str()
            .parse::<f64>()
            .map(Val::Float)
            .unwrap_or(Val::Other("an unreadable number")),
        DeValue::String(s) => Val::Str(s.to_string()),
        DeValue::Boolean(b) => Val::Bool(*b),
        DeValue::Datetime(_) => Val::Other("a date"),
        DeValue::Array(items) => Val::List(items.iter().map(|v| convert(v.get_ref())).collect()),
        DeValue::Table(_) => Val::Other("a table"),
    }
}

fn unknown_field(loc: Location, name: &str, prefix: &str) -> ScenarioError {
    let mut known: Vec<String> = params::params()
        .filter(|p| params::section_of(p.path).unwrap_or("") == prefix)
        .map(|p| p.path.rsplit('.').next().unwrap_or(p.path).to_string())
        .collect();
    known.extend(
        params::sections()
            .filter(|s| params::section_of(s.name).unwrap_or("") == prefix)
            .map(|s| match s.name.strip_suffix("[]") {
                Some(array) => format!("[[{array}]]"),
                None => format!("[{}]", s.name),
            }),
    );
    let place = if prefix.is_empty() {
        String::new()
    } else {
        format!(" in [{prefix}]")
    };
    ScenarioError::new(
        loc,
        format!("unknown field `{name}`{place}"),
        format!("one of: {}", known.join(", ")),
    )
}

fn apply_override(index: usize, set: &str, doc: &mut Document) -> Result<(), ScenarioError> {
    let origin = format!("--set #{}", index + 1);
    let loc = |col: usize| Location {
        origin: origin.clone(),
        line: 1,
        col,
    };
    let Some((path, raw)) = set.split_once('=') else {
        return Err(ScenarioError::new(
            loc(1),
            format!("`{set}` has no `=`"),
            "path=value, e.g. --set short2008.eta=0.2",
        ));
    };
    let path = path.trim();
    if let Some((key, element)) = element_key(path, doc) {
        let element =
            element.map_err(|(what, expected)| ScenarioError::new(loc(1), what, expected))?;
        let value_col = set.find('=').map_or(1, |i| i + 2);
        element.values.insert(
            key,
            Given {
                val: override_value(raw),
                loc: loc(value_col),
            },
        );
        return Ok(());
    }
    if let Some(array) = params::array_of(path) {
        return Err(ScenarioError::new(
            loc(1),
            format!(
                "`{path}` is a key of each [[{}]] table",
                &array[..array.len() - 2]
            ),
            "a key outside arrays of tables; edit the scenario file to change an element",
        ));
    }
    if params::param(path).is_none() {
        return Err(ScenarioError::new(
            loc(1),
            format!("unknown parameter `{path}`"),
            "a parameter path such as short2008.eta; `crimesim reference` lists them all",
        ));
    }
    let value_col = path.len() + 2 + (raw.len() - raw.trim_start().len());
    doc.values.insert(
        path.to_string(),
        Given {
            val: override_value(raw),
            loc: loc(value_col),
        },
    );
    Ok(())
}

fn override_value(raw: &str) -> Val {
    let raw = raw.trim();
    match DeValue::parse(raw) {
        Ok(v) => convert(v.get_ref()),
        Err(_) => Val::Str(raw.to_string()),
    }
}

/// What is wrong, and what was expected.
type Refusal = (String, String);

/// An override of one element of an array of tables, by position or by its
/// `name`: `city.interventions[0].lighting_rise`,
/// `city.interventions.0.lighting_rise` or
/// `city.interventions.NAME.lighting_rise`. `None` if `path` is not of that
/// form; else the element's key (`city.interventions[].lighting_rise`) and
/// the element, or what is wrong.
fn element_key<'d>(
    path: &str,
    doc: &'d mut Document,
) -> Option<(String, Result<&'d mut Document, Refusal>)> {
    let (array, which, rest) = split_element_path(path)?;
    let key = format!("{array}[].{rest}");
    let elements = doc.arrays.get_mut(&format!("{array}[]"));
    let count = elements.as_ref().map_or(0, |e| e.len());
    if params::param(&key).is_none() {
        let what = format!("unknown parameter `{rest}` in [[{array}]]");
        let expected = format!("a key of [[{array}]]; `crimesim reference` lists them");
        return Some((key, Err((what, expected))));
    }
    let name_key = format!("{array}[].name");
    let found = elements.and_then(|e| {
        let at = match which.parse::<usize>() {
            Ok(i) => (i < e.len()).then_some(i),
            Err(_) => e.iter().position(|(_, d)| {
                d.values
                    .get(&name_key)
                    .is_some_and(|g| matches!(&g.val, Val::Str(n) if *n == which))
            }),
        };
        at.map(|i| &mut e[i].1)
    });
    let result = found.ok_or_else(|| {
        (
            format!("no [[{array}]] table `{which}`: the scenario has {count}"),
            format!(
                "an index from 0 to {} or the `name` of one",
                count.max(1) - 1
            ),
        )
    });
    Some((key, result))
}

/// `a.b[3].c.d` or `a.b.x.c.d` where `a.b[]` is an array of tables:
/// (`a.b`, `3` or `x`, `c.d`).
fn split_element_path(path: &str) -> Option<(String, String, String)> {
    let arrays = params::sections().filter_map(|s| s.name.strip_suffix("[]"));
    for array in arrays {
        let Some(tail) = path.strip_prefix(array) else {
            continue;
        };
        let (which, rest) = if let Some(t) = tail.strip_prefix('[') {
            let (i, rest) = t.split_once("].")?;
            (i, rest)
        } else {
            tail.strip_prefix('.')?.split_once('.')?
        };
        if !which.is_empty() && !rest.is_empty() {
            return Some((array.to_string(), which.to_string(), rest.to_string()));
        }
    }
    None
}

/// Checks each value against its parameter, fills in defaults and builds the
/// typed scenario.
fn resolve(origin: &str, doc: &Document) -> Result<Scenario, ScenarioError> {
    let top = Location {
        origin: origin.to_string(),
        line: 1,
        col: 1,
    };
    let model_param = params::param("model").expect("model is a parameter");
    let model = match doc.values.get("model") {
        Some(given) => check(model_param, given)?,
        None => model_param.default.to_toml().expect("model has a default"),
    };
    let model = model.as_str().unwrap_or_default().to_string();
    for (name, loc) in &doc.sections {
        let section = params::section(name).expect("collected sections exist");
        if let Some(models) = section.models
            && !models.contains(&model.as_str())
        {
            return Err(ScenarioError::new(
                loc.clone(),
                format!("section [{name}] does not apply to model \"{model}\""),
                format!("[{name}] only with model = {}", quoted(models)),
            ));
        }
    }
    let applies = |s: &params::Section| s.models.is_none_or(|m| m.contains(&model.as_str()));
    let mut root = toml::Table::new();
    for p in params::params().filter(|p| params::array_of(p.path).is_none()) {
        let section = params::section_of(p.path);
        if let Some(s) = section.and_then(params::section)
            && !applies(s)
        {
            if let Some(given) = doc.values.get(p.path) {
                return Err(ScenarioError::new(
                    given.loc.clone(),
                    format!("`{}` does not apply to model \"{model}\"", p.path),
                    format!(
                        "[{}] only with model = {}",
                        s.name,
                        quoted(s.models.unwrap_or_default())
                    ),
                ));
            }
            continue;
        }
        if let Some(value) = resolve_value(p, doc)? {
            insert(&mut root, p.path, value);
        }
    }
    // Arrays of tables: each element checked against the parameters under
    // the array's name, with its own defaults.
    for s in params::sections().filter(|s| s.name.ends_with("[]") && applies(s)) {
        let elements = doc.arrays.get(s.name).map_or(&[][..], |e| e.as_slice());
        let mut array = Vec::new();
        for (_, element) in elements {
            let mut table = toml::Table::new();
            let prefix = format!("{}.", s.name);
            for p in params::params().filter(|p| p.path.starts_with(&prefix)) {
                if let Some(value) = resolve_value(p, element)? {
                    insert(&mut table, &p.path[prefix.len()..], value);
                }
            }
            array.push(toml::Value::Table(table));
        }
        insert(
            &mut root,
            &s.name[..s.name.len() - 2],
            toml::Value::Array(array),
        );
    }
    toml::Value::Table(root)
        .try_into()
        .map_err(|e: toml::de::Error| {
            ScenarioError::new(
                top,
                format!("internal error: the parameter table and the scenario types disagree: {e}"),
                "a bug report",
            )
        })
}

/// The checked value of `p` in `doc`, else its default (`None`: absent).
fn resolve_value(p: &Param, doc: &Document) -> Result<Option<toml::Value>, ScenarioError> {
    Ok(match doc.values.get(p.path) {
        Some(given) => Some(check(p, given)?),
        None => p.default.to_toml(),
    })
}

fn quoted(items: &[&str]) -> String {
    let q: Vec<String> = items.iter().map(|m| format!("\"{m}\"")).collect();
    q.join(" or ")
}

fn insert(root: &mut toml::Table, path: &str, value: toml::Value) {
    match path.split_once('.') {
        Some((section, key)) => {
            let entry = root
                .entry(section.to_string())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            if let toml::Value::Table(t) = entry {
                insert(t, key, value);
            }
        }
        None => {
            root.insert(path.to_string(), value);
        }
    }
}

/// Checks one given value against its parameter's type and range.
fn check(p: &Param, given: &Given) -> Result<toml::Value, ScenarioError> {
    let wrong = |what: String| ScenarioError::new(given.loc.clone(), what, p.ty.expected());
    match (p.ty, &given.val) {
        (Ty::Float { min, max }, Val::Float(_) | Val::Int(_)) => {
            let v = match given.val {
                Val::Float(v) => v,
                Val::Int(v) => v as f64,
                _ => unreachable!(),
            };
            if v >= min && v <= max {
                Ok(toml::Value::Float(v))
            } else {
                Err(wrong(format!("`{}` = {v} is out of range", p.path)))
            }
        }
        (Ty::Int { min, max }, Val::Int(v)) => {
            if *v >= min && *v <= max {
                Ok(toml::Value::Integer(*v))
            } else {
                Err(wrong(format!("`{}` = {v} is out of range", p.path)))
            }
        }
        (Ty::Text, Val::Str(s)) => Ok(toml::Value::String(s.clone())),
        (Ty::Bool, Val::Bool(b)) => Ok(toml::Value::Boolean(*b)),
        (Ty::IntList { min, max }, Val::List(items)) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                match item {
                    Val::Int(v) if (min..=max).contains(v) => out.push(toml::Value::Integer(*v)),
                    Val::Int(v) => {
                        return Err(wrong(format!("`{}` holds {v}, out of range", p.path)));
                    }
                    other => {
                        return Err(wrong(format!("`{}` holds {}", p.path, other.describe())));
                    }
                }
            }
            Ok(toml::Value::Array(out))
        }
        (Ty::Choice(choices), Val::Str(s)) => {
            if choices.contains(&s.as_str()) {
                Ok(toml::Value::String(s.clone()))
            } else {
                Err(wrong(format!(
                    "`{}` = \"{s}\" is not a valid choice",
                    p.path
                )))
            }
        }
        (_, val) => Err(wrong(format!("`{}` is {}", p.path, val.describe()))),
    }
}

/// Where the value of `path` was given: its own location, else its
/// section's header, else the top of the file. `city.patrols[2].units`
/// is the `units` of the third `[[city.patrols]]` table (or its header).
fn locate(origin: &str, doc: &Document, path: &str) -> Location {
    if let Some((array, rest)) = path.split_once('[')
        && let Some((index, key)) = rest.split_once(']')
        && let Ok(index) = index.parse::<usize>()
    {
        let name = format!("{array}[]");
        if let Some((header, element)) = doc.arrays.get(&name).and_then(|e| e.get(index)) {
            let inner = format!("{name}{key}");
            return element
                .values
                .get(&inner)
                .map(|g| g.loc.clone())
                .or_else(|| {
                    params::section_of(&inner).and_then(|s| element.sections.get(s).cloned())
                })
                .unwrap_or_else(|| header.clone());
        }
        return doc.sections.get(&name).cloned().unwrap_or(Location {
            origin: origin.to_string(),
            line: 1,
            col: 1,
        });
    }
    doc.values
        .get(path)
        .map(|g| g.loc.clone())
        .or_else(|| params::section_of(path).and_then(|s| doc.sections.get(s).cloned()))
        .unwrap_or(Location {
            origin: origin.to_string(),
            line: 1,
            col: 1,
        })
}

/// Keys of array elements given on an element of a kind they do not apply
/// to (`lighting_rise` on a `cctv` intervention): an error at the key,
/// rather than a setting silently ignored.
fn check_applicability(doc: &Document) -> Result<(), ScenarioError> {
    for elements in doc.arrays.values() {
        for (_, element) in elements {
            let mut given: Vec<(&String, &Given)> = element.values.iter().collect();
            given.sort_by_key(|(_, g)| (g.loc.line, g.loc.col));
            for (path, g) in given {
                let Some(c) = params::conditions().find(|c| c.path == path.as_str()) else {
                    continue;
                };
                let choice = match element.values.get(c.key).map(|g| &g.val) {
                    Some(Val::Str(v)) => v.clone(),
                    _ => match params::params()
                        .find(|p| p.path == c.key)
                        .map(|p| p.default)
                    {
                        Some(params::Default::Str(v)) => v.to_string(),
                        _ => String::new(),
                    },
                };
                if !c.values.iter().any(|v| *v == choice) {
                    let short = |p: &str| p.rsplit_once("[].").map_or(p, |(_, k)| k).to_string();
                    let quoted: Vec<String> = c.values.iter().map(|v| format!("\"{v}\"")).collect();
                    return Err(ScenarioError::new(
                        g.loc.clone(),
                        format!(
                            "`{}` does not apply to {} = \"{choice}\"",
                            short(path),
                            short(c.key)
                        ),
                        format!(
                            "`{}` only with {} = {}; other keys for this {}",
                            short(path),
                            short(c.key),
                            quoted.join(" or "),
                            short(c.key)
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Checks that hold between parameters, and the memory estimate.
fn check_consistency(
    origin: &str,
    doc: &Document,
    scenario: &Scenario,
    options: &LoadOptions,
) -> Result<(), ScenarioError> {
    let at = |path: &str| locate(origin, doc, path);
    if let Some((path, message, expected)) = models::inconsistency(scenario) {
        return Err(ScenarioError::new(at(&path), message, expected));
    }
    let need = models::estimate_memory_bytes(scenario);
    if need > options.memory_budget_bytes {
        return Err(ScenarioError::new(
            at("grid.width"),
            format!(
                "a {} x {} grid needs about {} of memory, more than the {} available",
                scenario.grid.width,
                scenario.grid.height,
                human_bytes(need),
                human_bytes(options.memory_budget_bytes)
            ),
            "a smaller grid or fewer agents",
        ));
    }
    Ok(())
}

/// Bytes in binary units, e.g. `1.5 GiB`.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut v = bytes as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}
