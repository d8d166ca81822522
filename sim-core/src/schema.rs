//! The layout of each model's saved state, traced from its serde types.
//!
//! A checkpoint is a model struct serialised with postcard, which carries no
//! field names or types: bytes saved by a build whose state struct differs
//! would decode into the wrong fields, or fail somewhere inside. So a
//! checkpoint also carries a fingerprint of the state's layout, computed here
//! by tracing the model's struct with `serde-reflection` (every container
//! type it reaches, its fields in order and their formats, every enum
//! variant). A build whose state types differ in any of these refuses the
//! checkpoint before decoding it.

use serde::de::DeserializeOwned;
use std::collections::BTreeSet;

use serde_reflection::{Registry, Samples, Tracer, TracerConfig};

use crate::models::city::City;
use crate::models::epstein2002::Epstein2002;
use crate::models::short2008::Short2008;
use crate::sim::StateError;

/// The traced layout of `model`'s state (a model name of
/// [`crate::models::MODEL_NAMES`]) as stable bytes: the container formats in
/// name order, encoded with postcard. Hash them for a fingerprint.
pub fn state_schema(model: &str) -> Result<Vec<u8>, StateError> {
    let registry = match model {
        "city" => trace::<City>(),
        "short2008" => trace::<Short2008>(),
        "epstein2002" => trace::<Epstein2002>(),
        other => return Err(StateError(format!("no model named {other}"))),
    }?;
    let named = format!("{model}\n");
    let mut bytes = named.into_bytes();
    bytes.extend(
        postcard::to_stdvec(&registry)
            .map_err(|e| StateError(format!("the {model} state layout: {e}")))?,
    );
    Ok(bytes)
}

/// Traces `T` until every variant of every enum it reaches is known. The
/// tracer completes only the outermost enum by itself, so the enums it
/// reports as incomplete are traced again, one more variant per pass.
fn trace<T: DeserializeOwned>() -> Result<Registry, StateError> {
    let fail = |e: serde_reflection::Error| {
        StateError(format!(
            "cannot trace the state of {}: {e}",
            std::any::type_name::<T>()
        ))
    };
    let samples = Samples::new();
    let mut enums: BTreeSet<String> = BTreeSet::new();
    for _ in 0..MAX_ROUNDS {
        let mut tracer = Tracer::new(TracerConfig::default());
        for _ in 0..MAX_PASSES {
            tracer.trace_type_once::<T>(&samples).map_err(fail)?;
            let mut incomplete = false;
            for name in &enums {
                incomplete |= tracer.check_incomplete_enum(name).is_some();
            }
            if !incomplete {
                break;
            }
        }
        match tracer.registry() {
            Ok(registry) => return Ok(registry),
            Err(serde_reflection::Error::MissingVariants(names)) => enums.extend(names),
            Err(e) => return Err(fail(e)),
        }
    }
    Err(StateError(format!(
        "cannot trace every enum of the state of {}",
        std::any::type_name::<T>()
    )))
}

/// Rounds of tracing, each learning the names of more nested enums.
const MAX_ROUNDS: usize = 32;
/// Passes in a round, each finding at least one more variant.
const MAX_PASSES: usize = 4096;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::MODEL_NAMES;

    #[test]
    fn every_model_state_traces_to_a_layout_that_names_its_fields() {
        for model in MODEL_NAMES {
            let bytes = state_schema(model).unwrap();
            assert!(bytes.len() > 100, "{model}: {} bytes", bytes.len());
        }
        // The city's resident positions are part of its layout.
        let city = String::from_utf8_lossy(&state_schema("city").unwrap()).into_owned();
        assert!(city.contains("residents"), "{city}");
    }

    /// The traced type must be the one `save_state` writes: a state decodes
    /// as it, to its last byte.
    #[test]
    fn the_traced_type_of_each_model_is_the_one_its_state_is_saved_as() {
        use crate::sim::Simulation;
        fn decodes_whole<T: DeserializeOwned>(sim: &dyn Simulation) -> bool {
            let bytes = sim.save_state();
            postcard::take_from_bytes::<T>(&bytes).is_ok_and(|(_, rest)| rest.is_empty())
        }
        let load =
            |text: &str| crate::load("s", text, &[], &crate::LoadOptions::default()).unwrap();
        let city = crate::build(&load("model = \"city\"\n[city]\npopulation = 200\n"));
        assert!(decodes_whole::<City>(city.as_ref()));
        let short = crate::build(&load(
            "model = \"short2008\"\n[grid]\nwidth = 16\nheight = 16\n",
        ));
        assert!(decodes_whole::<Short2008>(short.as_ref()));
        let epstein = crate::build(&load(
            "model = \"epstein2002\"\n[grid]\nwidth = 16\nheight = 16\n",
        ));
        assert!(decodes_whole::<Epstein2002>(epstein.as_ref()));
        assert!(!decodes_whole::<Short2008>(epstein.as_ref()));
    }

    #[test]
    fn different_models_have_different_layouts_and_tracing_is_repeatable() {
        let a = state_schema("short2008").unwrap();
        assert_eq!(a, state_schema("short2008").unwrap());
        assert_ne!(a, state_schema("epstein2002").unwrap());
        assert!(state_schema("nosuch").is_err());
    }
}
