//! Bilingual text. Every user-visible string in a template carries zh-CN and en,
//! the two languages the product ships.

use serde::{Deserialize, Serialize};

/// A user-visible string in both shipped languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, ts_rs::TS)]
#[serde(deny_unknown_fields)]
pub struct Bilingual {
    #[serde(rename = "zh-CN")]
    pub zh: String,
    pub en: String,
}

impl Bilingual {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// The text in `locale`, falling back to the other language when it is empty.
    pub fn get(&self, locale: Locale) -> &str {
        let (first, second) = match locale {
            Locale::ZhCn => (&self.zh, &self.en),
            Locale::En => (&self.en, &self.zh),
        };
        if first.trim().is_empty() {
            second
        } else {
            first
        }
    }

    /// Which of the two languages are missing (blank).
    pub fn missing(&self) -> Vec<Locale> {
        let mut out = Vec::new();
        if self.zh.trim().is_empty() {
            out.push(Locale::ZhCn);
        }
        if self.en.trim().is_empty() {
            out.push(Locale::En);
        }
        out
    }
}

/// The languages the product ships.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Locale {
    #[serde(rename = "zh-CN")]
    ZhCn,
    #[serde(rename = "en")]
    En,
}

impl Locale {
    pub fn tag(self) -> &'static str {
        match self {
            Locale::ZhCn => "zh-CN",
            Locale::En => "en",
        }
    }
}
