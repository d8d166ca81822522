//! The rule for tests that need a tool from outside (tests/common/require.rs).

#[path = "common/require.rs"]
mod require;

#[test]
fn a_missing_tool_fails_the_test_only_where_it_is_required() {
    const VAR: &str = "CRIMESIM_REQUIRE_SELFTEST";
    // SAFETY: the only test of this binary; nothing else reads the environment meanwhile.
    let set = |v: Option<&str>| unsafe {
        match v {
            Some(v) => std::env::set_var(VAR, v),
            None => std::env::remove_var(VAR),
        }
    };
    for (value, required) in [
        (None, false),
        (Some(""), false),
        (Some("0"), false),
        (Some("1"), true),
    ] {
        set(value);
        assert_eq!(require::required("SELFTEST"), required, "{value:?}");
        let failed = std::panic::catch_unwind(|| require::missing("SELFTEST", "a tool")).is_err();
        assert_eq!(failed, required, "{value:?}");
    }
    set(None);
    assert!(require::succeeds("sh", &["-c", "exit 0"]));
    assert!(!require::succeeds("sh", &["-c", "exit 3"]));
    assert!(!require::succeeds("no-such-program-anywhere", &[]));
}
