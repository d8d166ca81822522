//! Spatial displacement of crime, and diffusion of benefits, around an
//! intervention area.
//!
//! Source: Bowers & Johnson (2003), "Measuring the geographical displacement
//! and diffusion of benefit effects of crime prevention activity",
//! *J. Quant. Criminol.* 19(3), 275-301. For an intervention area A, a
//! buffer B around it and a control area C, counted before and after:
//!
//! - success measure SM = A_after/C_after - A_before/C_before
//!   (negative: crime in A fell relative to C);
//! - buffer displacement measure BDM = B_after/C_after - B_before/C_before
//!   (positive: crime in B rose relative to C, displacement; negative:
//!   it fell, diffusion of benefits);
//! - weighted displacement quotient WDQ = BDM / SM, read only when SM < 0:
//!   WDQ > 0 is diffusion of benefits, WDQ < 0 displacement, WDQ < -1 more
//!   crime displaced than prevented, WDQ > 1 more benefit in the buffer
//!   than in the area;
//! - total net effect TNE = (A_before * C_after/C_before - A_after) +
//!   (B_before * C_after/C_before - B_after): crimes prevented in A and B
//!   together, given the control's trend (positive: crime prevented).

/// Crime in one area in the two periods.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BeforeAfter {
    pub before: f64,
    pub after: f64,
}

/// Crime in the intervention area, its buffer and the control area.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WdqCounts {
    pub area: BeforeAfter,
    pub buffer: BeforeAfter,
    pub control: BeforeAfter,
}

/// What the WDQ says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WdqReading {
    /// Crime in the area did not fall relative to the control (SM >= 0): the
    /// quotient is not read.
    NoSuccess,
    /// Crime in the buffer fell relative to the control (WDQ > 0).
    /// `exceeds_direct_effect` when WDQ > 1.
    DiffusionOfBenefits { exceeds_direct_effect: bool },
    /// Crime in the buffer rose relative to the control (WDQ < 0).
    /// `exceeds_direct_effect` when WDQ < -1: more displaced than prevented.
    Displacement { exceeds_direct_effect: bool },
    /// The buffer moved exactly as the control (WDQ = 0).
    NoSpillover,
}

/// Why the WDQ cannot be computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WdqError {
    /// The control area had no crime in a period, so the ratios to it are undefined.
    #[error("the control area has no crime {0}: the WDQ's ratios are undefined")]
    ControlHasNoCrime(Period),
    /// A count was negative or not finite.
    #[error("crime counts must be finite and non-negative")]
    InvalidCount,
}

/// A period of the comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Period {
    Before,
    After,
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Period::Before => "before",
            Period::After => "after",
        })
    }
}

/// The WDQ and its components.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Wdq {
    /// SM: change in the area's crime relative to the control.
    pub success_measure: f64,
    /// BDM: change in the buffer's crime relative to the control.
    pub buffer_displacement_measure: f64,
    /// BDM / SM; `None` when SM = 0.
    pub quotient: Option<f64>,
    /// TNE, in crimes: prevented in area and buffer together given the
    /// control's trend (positive: prevented).
    pub total_net_effect_crimes: f64,
    pub reading: WdqReading,
}

/// The weighted displacement quotient of Bowers & Johnson (2003), with its
/// components and reading. Errors when the control area has no crime in a
/// period, or a count is negative or not finite; never returns NaN.
pub fn weighted_displacement_quotient(counts: &WdqCounts) -> Result<Wdq, WdqError> {
    let WdqCounts {
        area: a,
        buffer: b,
        control: c,
    } = *counts;
    let all = [a.before, a.after, b.before, b.after, c.before, c.after];
    if !all.iter().all(|x| x.is_finite() && *x >= 0.0) {
        return Err(WdqError::InvalidCount);
    }
    if c.before == 0.0 {
        return Err(WdqError::ControlHasNoCrime(Period::Before));
    }
    if c.after == 0.0 {
        return Err(WdqError::ControlHasNoCrime(Period::After));
    }
    let success_measure = a.after / c.after - a.before / c.before;
    let buffer_displacement_measure = b.after / c.after - b.before / c.before;
    let quotient = (success_measure != 0.0).then(|| buffer_displacement_measure / success_measure);
    let control_trend = c.after / c.before;
    let total_net_effect_crimes =
        (a.before * control_trend - a.after) + (b.before * control_trend - b.after);
    let reading = match quotient {
        _ if success_measure >= 0.0 => WdqReading::NoSuccess,
        Some(q) if q > 0.0 => WdqReading::DiffusionOfBenefits {
            exceeds_direct_effect: q > 1.0,
        },
        Some(q) if q < 0.0 => WdqReading::Displacement {
            exceeds_direct_effect: q < -1.0,
        },
        _ => WdqReading::NoSpillover,
    };
    Ok(Wdq {
        success_measure,
        buffer_displacement_measure,
        quotient,
        total_net_effect_crimes,
        reading,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(area: (f64, f64), buffer: (f64, f64), control: (f64, f64)) -> WdqCounts {
        let ba = |(before, after)| BeforeAfter { before, after };
        WdqCounts {
            area: ba(area),
            buffer: ba(buffer),
            control: ba(control),
        }
    }

    /// Expected (SM, BDM, WDQ, TNE, reading), or the error.
    type Expected = Result<(f64, f64, Option<f64>, f64, WdqReading), WdqError>;

    fn check(name: &str, input: WdqCounts, expected: Expected) {
        let got = weighted_displacement_quotient(&input);
        match (got, expected) {
            (Ok(w), Ok((sm, bdm, q, tne, reading))) => {
                let close = |x: f64, y: f64| (x - y).abs() < 1e-12;
                assert!(
                    close(w.success_measure, sm),
                    "{name}: SM {}",
                    w.success_measure
                );
                assert!(
                    close(w.buffer_displacement_measure, bdm),
                    "{name}: BDM {}",
                    w.buffer_displacement_measure
                );
                match (w.quotient, q) {
                    (None, None) => {}
                    (Some(x), Some(y)) => assert!(close(x, y), "{name}: WDQ {x}, expected {y}"),
                    (x, y) => panic!("{name}: WDQ {x:?}, expected {y:?}"),
                }
                assert!(
                    close(w.total_net_effect_crimes, tne),
                    "{name}: TNE {}",
                    w.total_net_effect_crimes
                );
                assert_eq!(w.reading, reading, "{name}");
            }
            (got, expected) => assert_eq!(got.map(|_| ()), expected.map(|_| ()), "{name}"),
        }
    }

    #[test]
    fn wdq_matches_hand_computed_cases() {
        use WdqReading::*;
        let cases: [(&str, WdqCounts, Expected); 9] = [
            // SM = 50/1000 - 100/1000 = -0.05; BDM = 90/1000 - 80/1000 = 0.01;
            // WDQ = -0.2; TNE = (100 - 50) + (80 - 90) = 40.
            (
                "some displacement",
                counts((100.0, 50.0), (80.0, 90.0), (1000.0, 1000.0)),
                Ok((
                    -0.05,
                    0.01,
                    Some(-0.2),
                    40.0,
                    Displacement {
                        exceeds_direct_effect: false,
                    },
                )),
            ),
            // BDM = 60/1000 - 80/1000 = -0.02; WDQ = 0.4; TNE = 50 + 20 = 70.
            (
                "diffusion of benefits",
                counts((100.0, 50.0), (80.0, 60.0), (1000.0, 1000.0)),
                Ok((
                    -0.05,
                    -0.02,
                    Some(0.4),
                    70.0,
                    DiffusionOfBenefits {
                        exceeds_direct_effect: false,
                    },
                )),
            ),
            // BDM = 140/1000 - 80/1000 = 0.06; WDQ = -1.2; TNE = 50 - 60 = -10.
            (
                "more displaced than prevented",
                counts((100.0, 50.0), (80.0, 140.0), (1000.0, 1000.0)),
                Ok((
                    -0.05,
                    0.06,
                    Some(-1.2),
                    -10.0,
                    Displacement {
                        exceeds_direct_effect: true,
                    },
                )),
            ),
            // BDM = 20/1000 - 80/1000 = -0.06; WDQ = 1.2; TNE = 50 + 60 = 110.
            (
                "more benefit in the buffer than in the area",
                counts((100.0, 50.0), (80.0, 20.0), (1000.0, 1000.0)),
                Ok((
                    -0.05,
                    -0.06,
                    Some(1.2),
                    110.0,
                    DiffusionOfBenefits {
                        exceeds_direct_effect: true,
                    },
                )),
            ),
            // Control halves: C_after/C_before = 0.5.
            // SM = 40/500 - 100/1000 = -0.02; BDM = 40/500 - 80/1000 = 0;
            // TNE = (50 - 40) + (40 - 40) = 10.
            (
                "buffer follows the control",
                counts((100.0, 40.0), (80.0, 40.0), (1000.0, 500.0)),
                Ok((-0.02, 0.0, Some(0.0), 10.0, NoSpillover)),
            ),
            // SM = 50/500 - 100/1000 = 0: no quotient.
            // BDM = 30/500 - 80/1000 = -0.02; TNE = (50 - 50) + (40 - 30) = 10.
            (
                "area follows the control",
                counts((100.0, 50.0), (80.0, 30.0), (1000.0, 500.0)),
                Ok((0.0, -0.02, None, 10.0, NoSuccess)),
            ),
            // SM = 150/1000 - 100/1000 = 0.05 > 0; WDQ = 0.01 / 0.05 = 0.2, not read.
            // TNE = (100 - 150) + (80 - 90) = -60.
            (
                "area got worse",
                counts((100.0, 150.0), (80.0, 90.0), (1000.0, 1000.0)),
                Ok((0.05, 0.01, Some(0.2), -60.0, NoSuccess)),
            ),
            (
                "no control crime before",
                counts((100.0, 50.0), (80.0, 90.0), (0.0, 10.0)),
                Err(WdqError::ControlHasNoCrime(Period::Before)),
            ),
            (
                "no control crime after",
                counts((100.0, 50.0), (80.0, 90.0), (10.0, 0.0)),
                Err(WdqError::ControlHasNoCrime(Period::After)),
            ),
        ];
        for (name, input, expected) in cases {
            check(name, input, expected);
        }
    }

    #[test]
    fn invalid_counts_are_refused() {
        for bad in [-1.0, f64::NAN, f64::INFINITY] {
            let input = counts((bad, 50.0), (80.0, 90.0), (1000.0, 1000.0));
            assert_eq!(
                weighted_displacement_quotient(&input),
                Err(WdqError::InvalidCount),
                "count {bad}"
            );
        }
    }

    #[test]
    fn errors_name_the_period() {
        let e = WdqError::ControlHasNoCrime(Period::After);
        assert_eq!(
            e.to_string(),
            "the control area has no crime after: the WDQ's ratios are undefined"
        );
    }
}
