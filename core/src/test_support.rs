//! Fixtures shared by the unit tests.

/// The top of a minimal template of an owned hall: id, kind, mode, title.
macro_rules! header {
    ($id:literal, $kind:literal, $mode:literal, $zh:literal, $en:literal) => {
        concat!(
            "\nid = \"",
            $id,
            "\"\nkind = \"",
            $kind,
            "\"\nmode = \"",
            $mode,
            "\"\nchannel = \"owned_hall\"\ntitle = { zh-CN = \"",
            $zh,
            "\", en = \"",
            $en,
            "\" }\n"
        )
    };
}

/// The header of a minimal checklist; sections follow.
pub(crate) const CHECKLIST: &str = header!("t", "checklist", "overt", "检查", "Check");

/// The header of a minimal intercept questionnaire; sections follow.
pub(crate) const QUESTIONNAIRE: &str = header!("q", "questionnaire", "intercept", "调查", "Survey");

/// The S2 worked example (see the file), with item b2's knock-out rule
/// replaced by `b2_critical` (`None` removes it).
pub(crate) fn worked_example(b2_critical: Option<&str>) -> crate::templates::Template {
    let src = include_str!("../tests/fixtures/worked_example.toml");
    let rule = b2_critical.map_or(String::new(), |r| format!("critical = \"{r}\", "));
    let src = src.replace(
        r#"id = "b2", type = "pass_fail", points = 5, critical = "zero_section", "#,
        &format!(r#"id = "b2", type = "pass_fail", points = 5, {rule}"#),
    );
    crate::templates::Template::load(&src, crate::templates::Format::Toml)
        .expect("the worked example is valid")
}
