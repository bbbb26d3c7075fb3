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
