//! Closed vocabularies of the domain (domain.md): template kinds, visit modes,
//! channels, roles, and the tags that locate an item in the customer journey.
//! Each is a string in files and documents and an enum in code.

/// Declares a string-valued enum with its wire names, `as_str`, `parse` and `ALL`.
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
                 serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The name used in files, documents and the API.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Parses a wire name.
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }

            /// The wire names, comma-separated, for error messages.
            pub fn names() -> String {
                [$($text),+].join(", ")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl autosurgeon::Reconcile for $name {
            type Key<'a> = autosurgeon::reconcile::NoKey;
            fn reconcile<R: autosurgeon::Reconciler>(&self, mut r: R) -> Result<(), R::Error> {
                r.str(self.as_str())
            }
        }

        impl autosurgeon::Hydrate for $name {
            fn hydrate_string(s: &str) -> Result<Self, autosurgeon::HydrateError> {
                Self::parse(s).ok_or_else(|| autosurgeon::HydrateError::unexpected(
                    Self::names(), s.to_string()))
            }
        }
    };
}
pub(crate) use string_enum;

string_enum!(
    /// Audit checklist or survey questionnaire.
    TemplateKind { Checklist = "checklist", Questionnaire = "questionnaire" }
);

string_enum!(
    /// How the record is collected.
    VisitMode {
        /// Open inspection (明查).
        Overt = "overt",
        /// Covert mystery shopping (暗访).
        Mystery = "mystery",
        /// Test call to a hotline (拨测).
        TestCall = "test_call",
        /// Check of a web, WAP, SMS or kiosk channel.
        Echannel = "echannel",
        /// Customer intercept survey in a business hall.
        Intercept = "intercept",
    }
);

string_enum!(
    /// What the test-call bar records on an item of a test-call template.
    CallMoment {
        /// When the call was placed (a `datetime` item).
        Dialled = "dialled",
        /// Seconds from asking for an agent to a person answering (a `duration`).
        Wait = "wait",
        /// Seconds of talk with the agent (a `duration`).
        Talk = "talk",
    }
);

string_enum!(
    /// Channel type of the outlet (渠道).
    Channel {
        OwnedHall = "owned_hall",
        PartnerStore = "partner_store",
        Hotline = "hotline",
        Club = "club",
        Echannel = "echannel",
    }
);

string_enum!(
    /// A user's role.
    Role {
        Admin = "admin",
        Manager = "manager",
        Inspector = "inspector",
        Surveyor = "surveyor",
        /// Staff of a store, who close corrective actions.
        StoreStaff = "store_staff",
    }
);

string_enum!(
    /// Lifecycle stage of the customer (4 stages).
    Stage { PreSale = "pre_sale", Activation = "activation", Use = "use", Retention = "retention" }
);

string_enum!(
    /// The 15 customer activities, each within one stage.
    Activity {
        Learn = "learn",
        FirstExperience = "first_experience",
        NeedsFit = "needs_fit",
        Decide = "decide",
        Request = "request",
        Obtain = "obtain",
        Activate = "activate",
        Configure = "configure",
        FirstUse = "first_use",
        Personalise = "personalise",
        ServiceInfo = "service_info",
        MeetProblem = "meet_problem",
        ReportProblem = "report_problem",
        RecurringProblem = "recurring_problem",
        Terminate = "terminate",
    }
);

impl Activity {
    /// The lifecycle stage the activity belongs to.
    pub fn stage(self) -> Stage {
        use Activity::*;
        match self {
            Learn | FirstExperience | NeedsFit | Decide => Stage::PreSale,
            Request | Obtain | Activate | Configure => Stage::Activation,
            FirstUse | Personalise | ServiceInfo | MeetProblem | ReportProblem => Stage::Use,
            RecurringProblem | Terminate => Stage::Retention,
        }
    }
}

string_enum!(
    /// Service blueprint layer an item observes.
    Layer {
        CustomerAction = "customer_action",
        Onstage = "onstage",
        Backstage = "backstage",
        Support = "support",
    }
);

impl Layer {
    /// Whether a mystery shopper can observe this layer (only the customer-facing ones).
    pub fn visible_to_customer(self) -> bool {
        matches!(self, Layer::CustomerAction | Layer::Onstage)
    }
}

string_enum!(
    /// Quality attribute of a touchpoint.
    Attribute {
        Appearance = "appearance",
        Usefulness = "usefulness",
        EaseOfUse = "ease_of_use",
        Availability = "availability",
        Attractiveness = "attractiveness",
        Trust = "trust",
        Interface = "interface",
        Operation = "operation",
        Interaction = "interaction",
        Content = "content",
    }
);

string_enum!(
    /// SERVQUAL dimension.
    Dimension {
        Tangibles = "tangibles",
        Reliability = "reliability",
        Responsiveness = "responsiveness",
        Assurance = "assurance",
        Empathy = "empathy",
    }
);

string_enum!(
    /// What a fix needs (组织、流程、绩效、人员、IT).
    FixDimension {
        Organisation = "organisation",
        Process = "process",
        Performance = "performance",
        People = "people",
        It = "it",
    }
);

string_enum!(
    /// Latent variable of the satisfaction model (TCSI / ACSI).
    ConstructRole {
        Expectation = "expectation",
        PerceivedQuality = "perceived_quality",
        PerceivedValue = "perceived_value",
        Satisfaction = "satisfaction",
        Complaints = "complaints",
        Loyalty = "loyalty",
    }
);

string_enum!(
    /// Where a construct's item weights come from; recorded with every index.
    WeightSource { Equal = "equal", Fixed = "fixed", Pls = "pls" }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_activity_has_a_stage_and_names_round_trip() {
        assert_eq!(Activity::ALL.len(), 15);
        for a in Activity::ALL {
            assert_eq!(Activity::parse(a.as_str()), Some(*a));
        }
        assert_eq!(Activity::Terminate.stage(), Stage::Retention);
        assert_eq!(Channel::parse("hotline"), Some(Channel::Hotline));
        assert_eq!(Channel::parse("Hotline"), None);
    }
}
