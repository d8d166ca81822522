//! The city page's interventions: per intervention, crimes per day in its
//! area, its buffer and elsewhere before and while it is active, the
//! weighted displacement quotient (Bowers & Johnson 2003) and the cost.

use crimesim_core::metrics::{BeforeAfter, WdqCounts, WdqReading, weighted_displacement_quotient};

use crate::error::Result;
use crate::report::html::{Markup, fmt_num, join, para, table};
use crate::report::read::Table;
use crate::report::run::Intervention;

/// What a weighted displacement quotient says, in plain words.
pub fn wdq_reading(reading: WdqReading) -> &'static str {
    match reading {
        WdqReading::NoSuccess => {
            "crime in the area did not fall relative to the rest of the city, so the quotient is not read"
        }
        WdqReading::DiffusionOfBenefits {
            exceeds_direct_effect: false,
        } => "diffusion of benefits: crime fell in the surrounding buffer too",
        WdqReading::DiffusionOfBenefits {
            exceeds_direct_effect: true,
        } => "diffusion of benefits: crime fell in the surrounding buffer by more than in the area",
        WdqReading::Displacement {
            exceeds_direct_effect: false,
        } => "displacement: some crime moved to the surrounding buffer, less than was prevented",
        WdqReading::Displacement {
            exceeds_direct_effect: true,
        } => "displacement: more crime moved to the buffer than was prevented in the area",
        WdqReading::NoSpillover => "no spillover: the buffer moved as the rest of the city",
    }
}

/// Per intervention: crimes per day in area, buffer and elsewhere before and
/// while it is active, the WDQ (Bowers & Johnson 2003) and the cost.
pub(super) fn intervention_section(t: &Table, ivs: &[Intervention]) -> Result<Markup> {
    let days = Days::read(t)?;
    let n = days.id.iter().max().map_or(0, |m| m + 1) as usize;
    let rows: Vec<Vec<String>> = (0..n).map(|k| days.row(k, ivs)).collect();
    Ok(join(vec![
        table(
            &[
                "intervention",
                "first day",
                "area: crimes/day before -> during",
                "buffer",
                "elsewhere",
                "WDQ",
                "reading",
                "net crimes prevented",
                "cost",
            ],
            &rows,
            "interventions",
        ),
        para(
            "The weighted displacement quotient (Bowers & Johnson 2003) compares the buffer ring around an \
             area with the rest of the city, before and while the intervention is active: below 0, crime moved \
             to the buffer (displacement); above 0, the buffer benefited too (diffusion of benefits). One run \
             cannot say how sure this is: compare replicates with `crimesim compare`.",
        ),
    ]))
}

/// The columns of `interventions.arrow`: one row per intervention and day.
struct Days {
    id: Vec<u64>,
    day: Vec<u64>,
    active: Vec<f64>,
    cost: Vec<f64>,
    area: Vec<f64>,
    buffer: Vec<f64>,
    elsewhere: Vec<f64>,
}

/// Crimes in area, buffer and elsewhere before and while an intervention is
/// active, and the days each covers.
struct Counts {
    wdq: WdqCounts,
    before_days: u64,
    after_days: u64,
}

impl Days {
    fn read(t: &Table) -> Result<Days> {
        let (id, day, active, cost) = (
            t.u64("intervention")?,
            t.u64("day")?,
            t.f64("active")?,
            t.f64("cost")?,
        );
        let [a, b, c] = ["crimes_area", "crimes_buffer", "crimes_elsewhere"].map(|n| t.f64(n));
        Ok(Days {
            id,
            day,
            active,
            cost,
            area: a?,
            buffer: b?,
            elsewhere: c?,
        })
    }

    /// The table row of intervention `k`.
    fn row(&self, k: usize, ivs: &[Intervention]) -> Vec<String> {
        let idx: Vec<usize> = (0..self.id.len())
            .filter(|&i| self.id[i] == k as u64)
            .collect();
        let first = idx
            .iter()
            .filter(|&&i| self.active[i] > 0.5)
            .map(|&i| self.day[i])
            .min();
        let total_cost: f64 = idx.iter().fold(0.0, |sum, &i| sum + self.cost[i]);
        let c = self.counts(&idx, first);
        let per = |v: f64, d: u64| {
            if d > 0 {
                fmt_num(v / d as f64)
            } else {
                "-".into()
            }
        };
        let change = |ba: &BeforeAfter| {
            format!(
                "{} -> {}",
                per(ba.before, c.before_days),
                per(ba.after, c.after_days)
            )
        };
        let (q, reading, tne) = match weighted_displacement_quotient(&c.wdq) {
            Ok(w) => (
                w.quotient.map_or("-".into(), |q| format!("{q:.2}")),
                wdq_reading(w.reading).to_string(),
                fmt_num(w.total_net_effect_crimes),
            ),
            Err(e) => ("-".into(), e.to_string(), "-".into()),
        };
        let name = ivs
            .get(k)
            .map_or(format!("intervention {k}"), |iv| iv.kind.clone());
        vec![
            name,
            first.map_or("never active".into(), |f| f.to_string()),
            change(&c.wdq.area),
            change(&c.wdq.buffer),
            change(&c.wdq.control),
            q,
            reading,
            tne,
            fmt_num(total_cost),
        ]
    }

    /// Sums over the rows `idx` of one intervention: before its `first`
    /// active day, and while it is active.
    fn counts(&self, idx: &[usize], first: Option<u64>) -> Counts {
        let zero = || BeforeAfter {
            before: 0.0,
            after: 0.0,
        };
        let mut c = Counts {
            wdq: WdqCounts {
                area: zero(),
                buffer: zero(),
                control: zero(),
            },
            before_days: 0,
            after_days: 0,
        };
        let Some(first) = first else { return c };
        for &i in idx {
            let (slot, after) = if self.day[i] < first {
                (&mut c.before_days, false)
            } else if self.active[i] > 0.5 {
                (&mut c.after_days, true)
            } else {
                continue;
            };
            *slot += 1;
            for (ba, v) in [
                (&mut c.wdq.area, self.area[i]),
                (&mut c.wdq.buffer, self.buffer[i]),
                (&mut c.wdq.control, self.elsewhere[i]),
            ] {
                if after {
                    ba.after += v;
                } else {
                    ba.before += v;
                }
            }
        }
        c
    }
}
