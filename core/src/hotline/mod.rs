//! Hotline statistics (domain.md, Hotline; methodology S2): the call centre's
//! interval statistics as its switch exports them, the service level by each
//! formula in use, and the hotline KPIs by period against their targets,
//! beside the test calls made to the same hotline. docs/hotline.md has the
//! columns, the formulas and the default targets.

mod import;
mod kpi;
mod level;

pub use import::{
    CALL_COLUMNS, CallInterval, ImportSettings, ZH_HEADERS, parse_call_stats, parse_mapping,
    parse_start,
};
pub use kpi::{
    CallStats, Comparison, HotlinePeriod, HourStats, Kpi, KpiId, KpiRules, Target, TestCalls,
    compare, hotline_kpis,
};
pub use level::{
    CallCountError, CallCounts, DEFAULT_SHORT_ABANDON_S, DEFAULT_TARGET, DEFAULT_THRESHOLD_S,
    ServiceLevel, ServiceLevelFormula, service_level,
};
