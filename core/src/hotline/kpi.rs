//! Hotline KPIs by day, week, month, quarter or year (domain.md, Hotline):
//! the service level and the other switch figures, each against its target,
//! with a Wilson interval where the figure is a proportion of calls; and the
//! test calls made to the same hotline in the same period beside them.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::level::{CallCounts, DEFAULT_TARGET, ServiceLevelFormula, service_level};
use crate::msg;
use crate::msg::Msg;
use crate::ratings::{Granularity, Period};
use crate::stats::{Interval, Z95, two_proportion_z, wilson};

/// Summed interval statistics. A count that some of the summed intervals
/// lack is `None`: a figure is never worked out from part of a period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct CallStats {
    /// How many intervals were summed.
    pub intervals: u64,
    /// Calls reaching the switch, and those it connected (to the IVR or a queue).
    pub calls_in: Option<u64>,
    pub system_connected: Option<u64>,
    /// Calls queued for a person, answered, answered within T, abandoned.
    pub offered: u64,
    pub answered: u64,
    pub answered_within: u64,
    pub abandoned: u64,
    pub abandoned_within: Option<u64>,
    pub abandoned_short: Option<u64>,
    /// Seconds agents spent talking, wrapping up, and signed in.
    pub talk_s: Option<f64>,
    pub wrap_s: Option<f64>,
    pub signed_in_s: Option<f64>,
    pub agents_scheduled: Option<u64>,
    pub agents_signed_in: Option<u64>,
    /// The post-call survey: responses, and those satisfied.
    pub survey_responses: Option<u64>,
    pub survey_satisfied: Option<u64>,
    /// Contacts checked for first-call resolution, and those resolved.
    pub fcr_total: Option<u64>,
    pub fcr_resolved: Option<u64>,
}

fn both<T: std::ops::Add<Output = T>>(a: Option<T>, b: Option<T>) -> Option<T> {
    Some(a? + b?)
}

impl CallStats {
    /// Adds `o`; a count either side lacks is lacking in the sum.
    pub fn add(&mut self, o: &CallStats) {
        if self.intervals == 0 {
            *self = *o;
            return;
        }
        *self = CallStats {
            intervals: self.intervals + o.intervals,
            calls_in: both(self.calls_in, o.calls_in),
            system_connected: both(self.system_connected, o.system_connected),
            offered: self.offered + o.offered,
            answered: self.answered + o.answered,
            answered_within: self.answered_within + o.answered_within,
            abandoned: self.abandoned + o.abandoned,
            abandoned_within: both(self.abandoned_within, o.abandoned_within),
            abandoned_short: both(self.abandoned_short, o.abandoned_short),
            talk_s: both(self.talk_s, o.talk_s),
            wrap_s: both(self.wrap_s, o.wrap_s),
            signed_in_s: both(self.signed_in_s, o.signed_in_s),
            agents_scheduled: both(self.agents_scheduled, o.agents_scheduled),
            agents_signed_in: both(self.agents_signed_in, o.agents_signed_in),
            survey_responses: both(self.survey_responses, o.survey_responses),
            survey_satisfied: both(self.survey_satisfied, o.survey_satisfied),
            fcr_total: both(self.fcr_total, o.fcr_total),
            fcr_resolved: both(self.fcr_resolved, o.fcr_resolved),
        };
    }

    pub fn counts(&self) -> CallCounts {
        CallCounts {
            answered: self.answered,
            answered_within: self.answered_within,
            abandoned: self.abandoned,
            abandoned_within: self.abandoned_within,
            abandoned_short: self.abandoned_short,
        }
    }
}

/// One clock hour of one hotline: the intervals starting in it, summed.
#[derive(Debug, Clone, PartialEq)]
pub struct HourStats {
    pub hotline: String,
    /// The local day and hour.
    pub day: Date,
    pub hour: u8,
    /// T and the short-abandon threshold the counts were taken with.
    pub threshold_s: u32,
    pub short_s: u32,
    pub stats: CallStats,
}

crate::vocab::string_enum!(
    /// The hotline KPIs.
    KpiId {
        /// Service level by the chosen formula (人工应答及时率).
        ServiceLevel = "service_level",
        /// system_connected / calls_in (系统接通率).
        SystemConnection = "system_connection",
        /// answered / offered (人工接通率).
        ManualConnection = "manual_connection",
        /// abandoned / offered.
        AbandonRate = "abandon_rate",
        /// The lowest manual connection rate of each day's busiest hour (忙时最低接通率).
        BusyHourConnection = "busy_hour_connection",
        /// (talk + wrap-up) / signed-in time (员工利用率).
        AgentUtilisation = "agent_utilisation",
        /// agents signed in / agents scheduled (签入率).
        SignInRate = "sign_in_rate",
        /// Seconds of talk per answered call.
        AvgTalk = "avg_talk_s",
        /// Seconds of wrap-up per answered call.
        AvgWrap = "avg_wrap_s",
        /// satisfied / survey responses (客服代表服务满意率).
        Satisfaction = "satisfaction",
        /// resolved / checked (首次解决率).
        FirstCallResolution = "first_call_resolution",
    }
);

impl KpiId {
    /// A share of calls or contacts, with a Wilson interval.
    pub fn is_proportion(self) -> bool {
        !matches!(
            self,
            KpiId::AgentUtilisation | KpiId::SignInRate | KpiId::AvgTalk | KpiId::AvgWrap
        )
    }
}

/// A target: the figure must be at least, or at most, a value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    AtLeast(f64),
    AtMost(f64),
}

impl Target {
    pub fn met_by(self, x: f64) -> bool {
        match self {
            Target::AtLeast(t) => x >= t,
            Target::AtMost(t) => x <= t,
        }
    }

    /// The whole interval is on the wrong side: short of the target beyond doubt.
    pub fn clearly_missed_by(self, i: &Interval) -> bool {
        match self {
            Target::AtLeast(t) => i.hi < t,
            Target::AtMost(t) => i.lo > t,
        }
    }

    pub fn value(self) -> f64 {
        match self {
            Target::AtLeast(t) | Target::AtMost(t) => t,
        }
    }
}

/// How KPIs are worked out, and against what.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KpiRules {
    pub formula: ServiceLevelFormula,
    pub targets: BTreeMap<KpiId, Target>,
    /// A day's busiest hour counts for the busy-hour figure only with at
    /// least this many calls offered.
    pub busy_hour_min_calls: u64,
}

impl Default for KpiRules {
    /// The published 85% in 20 s, and starting points for the rest that an
    /// operator replaces with its own (docs/hotline.md).
    fn default() -> Self {
        use KpiId as K;
        KpiRules {
            formula: ServiceLevelFormula::default(),
            targets: [
                (K::ServiceLevel, Target::AtLeast(DEFAULT_TARGET)),
                (K::SystemConnection, Target::AtLeast(0.99)),
                (K::ManualConnection, Target::AtLeast(0.90)),
                (K::AbandonRate, Target::AtMost(0.10)),
                (K::BusyHourConnection, Target::AtLeast(0.80)),
                (K::AgentUtilisation, Target::AtLeast(0.70)),
                (K::SignInRate, Target::AtLeast(0.95)),
                (K::Satisfaction, Target::AtLeast(0.90)),
                (K::FirstCallResolution, Target::AtLeast(0.80)),
            ]
            .into_iter()
            .collect(),
            busy_hour_min_calls: 30,
        }
    }
}

/// One KPI of one hotline in one period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Kpi {
    pub id: KpiId,
    pub value: Option<f64>,
    /// Wilson 95% interval, for proportions.
    pub interval: Option<Interval>,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    pub target: Option<Target>,
    pub meets: Option<bool>,
    /// The whole interval misses the target.
    pub clearly_misses: Option<bool>,
    /// The busy-hour figure: the local day and hour it was taken in.
    pub at: Option<String>,
    /// Why there is no value, when the statistics could not give one.
    pub missing: Option<Msg>,
}

impl Kpi {
    fn new(id: KpiId, rules: &KpiRules) -> Kpi {
        Kpi {
            id,
            value: None,
            interval: None,
            numerator: None,
            denominator: None,
            target: rules.targets.get(&id).copied(),
            meets: None,
            clearly_misses: None,
            at: None,
            missing: None,
        }
    }

    /// `numerator / denominator`, with its interval if a proportion.
    fn ratio(mut self, numerator: Option<f64>, denominator: Option<f64>) -> Kpi {
        let (Some(n), Some(d)) = (numerator, denominator) else {
            self.missing = Some(msg!(
                "hotline.kpi_not_in_data",
                "the statistics do not have the counts for this figure"
            ));
            return self;
        };
        self.numerator = Some(n);
        self.denominator = Some(d);
        if d <= 0.0 {
            return self;
        }
        self.value = Some(n / d);
        if self.id.is_proportion() {
            self.interval = wilson(n.round() as u64, d.round() as u64, Z95);
        }
        self.judged()
    }

    fn judged(mut self) -> Kpi {
        if let (Some(t), Some(v)) = (self.target, self.value) {
            self.meets = Some(t.met_by(v));
            self.clearly_misses = self.interval.map(|i| t.clearly_missed_by(&i));
        }
        self
    }
}

/// One hotline in one period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HotlinePeriod {
    pub hotline: String,
    pub period: Period,
    /// T, when every interval of the period was counted with the same one.
    pub threshold_s: Option<u32>,
    pub stats: CallStats,
    pub kpis: Vec<Kpi>,
}

impl HotlinePeriod {
    pub fn kpi(&self, id: KpiId) -> Option<&Kpi> {
        self.kpis.iter().find(|k| k.id == id)
    }
}

/// The KPIs of every hotline in `hours`, period by period.
pub fn hotline_kpis(
    hours: &[HourStats],
    granularity: Granularity,
    rules: &KpiRules,
) -> Vec<HotlinePeriod> {
    let mut groups: BTreeMap<(&str, Period), Vec<&HourStats>> = BTreeMap::new();
    for h in hours {
        groups
            .entry((&h.hotline, Period::of_date(h.day, granularity)))
            .or_default()
            .push(h);
    }
    groups
        .into_iter()
        .map(|((hotline, period), hours)| period_kpis(hotline, period, &hours, rules))
        .collect()
}

fn same<T: PartialEq + Copy>(mut xs: impl Iterator<Item = T>) -> Option<T> {
    let first = xs.next()?;
    xs.all(|x| x == first).then_some(first)
}

fn period_kpis(
    hotline: &str,
    period: Period,
    hours: &[&HourStats],
    rules: &KpiRules,
) -> HotlinePeriod {
    use KpiId as K;
    let mut s = CallStats::default();
    for h in hours {
        s.add(&h.stats);
    }
    let threshold_s = same(hours.iter().map(|h| h.threshold_s));
    let short_s = same(hours.iter().map(|h| h.short_s));
    let f = |x: u64| Some(x as f64);
    let opt = |x: Option<u64>| x.map(|v| v as f64);
    let mut kpis = Vec::with_capacity(K::ALL.len());
    kpis.push(service_level_kpi(&s, threshold_s, short_s, rules));
    kpis.push(Kpi::new(K::SystemConnection, rules).ratio(opt(s.system_connected), opt(s.calls_in)));
    kpis.push(Kpi::new(K::ManualConnection, rules).ratio(f(s.answered), f(s.offered)));
    kpis.push(Kpi::new(K::AbandonRate, rules).ratio(f(s.abandoned), f(s.offered)));
    kpis.push(busy_hour(hours, rules));
    kpis.push(
        Kpi::new(K::AgentUtilisation, rules)
            .ratio(s.talk_s.zip(s.wrap_s).map(|(t, w)| t + w), s.signed_in_s),
    );
    kpis.push(
        Kpi::new(K::SignInRate, rules).ratio(opt(s.agents_signed_in), opt(s.agents_scheduled)),
    );
    kpis.push(Kpi::new(K::AvgTalk, rules).ratio(s.talk_s, f(s.answered)));
    kpis.push(Kpi::new(K::AvgWrap, rules).ratio(s.wrap_s, f(s.answered)));
    kpis.push(
        Kpi::new(K::Satisfaction, rules).ratio(opt(s.survey_satisfied), opt(s.survey_responses)),
    );
    kpis.push(Kpi::new(K::FirstCallResolution, rules).ratio(opt(s.fcr_resolved), opt(s.fcr_total)));
    HotlinePeriod {
        hotline: hotline.to_string(),
        period,
        threshold_s,
        stats: s,
        kpis,
    }
}

fn service_level_kpi(
    s: &CallStats,
    threshold_s: Option<u32>,
    short_s: Option<u32>,
    rules: &KpiRules,
) -> Kpi {
    let mut kpi = Kpi::new(KpiId::ServiceLevel, rules);
    let (Some(t), Some(_)) = (threshold_s, short_s) else {
        kpi.missing = Some(msg!(
            "hotline.mixed_thresholds",
            "the period's intervals were counted with different thresholds"
        ));
        return kpi;
    };
    match service_level(&s.counts(), rules.formula, t) {
        Ok(sl) => {
            kpi.numerator = Some(sl.numerator as f64);
            kpi.denominator = Some(sl.denominator as f64);
            kpi.value = sl.value;
            kpi.interval = sl.interval;
            kpi.judged()
        }
        Err(e) => {
            kpi.missing = Some(e.msg());
            kpi
        }
    }
}

/// Each day's busiest hour (most calls offered, the earlier on a tie); the
/// figure is the lowest manual connection rate among those with at least
/// `busy_hour_min_calls` offered.
fn busy_hour(hours: &[&HourStats], rules: &KpiRules) -> Kpi {
    let mut kpi = Kpi::new(KpiId::BusyHourConnection, rules);
    let mut by_hour: BTreeMap<(Date, u8), CallStats> = BTreeMap::new();
    for h in hours {
        by_hour.entry((h.day, h.hour)).or_default().add(&h.stats);
    }
    let mut busiest: BTreeMap<Date, (u8, &CallStats)> = BTreeMap::new();
    for ((day, hour), s) in &by_hour {
        let best = busiest.entry(*day).or_insert((*hour, s));
        if s.offered > best.1.offered {
            *best = (*hour, s);
        }
    }
    let lowest = busiest
        .iter()
        .filter(|(_, (_, s))| s.offered >= rules.busy_hour_min_calls.max(1))
        .map(|(day, (hour, s))| (s.answered as f64 / s.offered as f64, *day, *hour, *s))
        .min_by(|a, b| a.0.total_cmp(&b.0));
    let Some((_, day, hour, s)) = lowest else {
        kpi.missing = Some(msg!(
            "hotline.no_busy_hour",
            "no day's busiest hour had {min} calls or more",
            min = rules.busy_hour_min_calls
        ));
        return kpi;
    };
    kpi.at = Some(format!("{day} {hour:02}:00"));
    kpi.ratio(Some(s.answered as f64), Some(s.offered as f64))
}

/// The test calls made to one hotline in one period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct TestCalls {
    pub calls: u64,
    /// Calls whose wait for a person was timed, and those within the standard.
    pub timed: u64,
    pub within: u64,
    /// Calls whose first attempt was judged, and those that got through.
    pub dialled: u64,
    pub connected: u64,
    /// Mean visit score of the test calls.
    pub mean_score: Option<f64>,
}

/// The switch's service level beside the test calls' share answered in time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub test_calls: TestCalls,
    pub within_share: Option<f64>,
    pub within_interval: Option<Interval>,
    pub connected_share: Option<f64>,
    pub connected_interval: Option<Interval>,
    /// Set when one source meets the service-level target and the other does not.
    pub disagreement: Option<Msg>,
}

fn percent(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

/// Whether the two-proportion z test may judge x1/n1 against x2/n2: the
/// normal approximation needs at least 5 expected successes and 5 expected
/// failures in each sample, at the pooled share.
fn testable(x1: u64, n1: u64, x2: u64, n2: u64) -> bool {
    if n1 == 0 || n2 == 0 {
        return false;
    }
    let p = (x1 + x2) as f64 / (n1 + n2) as f64;
    [n1, n2]
        .iter()
        .all(|n| *n as f64 * p >= 5.0 && *n as f64 * (1.0 - p) >= 5.0)
}

/// Compares a period's service level with its test calls.
pub fn compare(period: &HotlinePeriod, tests: TestCalls) -> Comparison {
    let within_share = (tests.timed > 0).then(|| tests.within as f64 / tests.timed as f64);
    let mut out = Comparison {
        test_calls: tests,
        within_share,
        within_interval: wilson(tests.within, tests.timed, Z95),
        connected_share: (tests.dialled > 0).then(|| tests.connected as f64 / tests.dialled as f64),
        connected_interval: wilson(tests.connected, tests.dialled, Z95),
        disagreement: None,
    };
    let Some(kpi) = period.kpi(KpiId::ServiceLevel) else {
        return out;
    };
    let (Some(switch), Some(test), Some(target)) = (kpi.value, within_share, kpi.target) else {
        return out;
    };
    let (switch_meets, test_meets) = (target.met_by(switch), target.met_by(test));
    if switch_meets == test_meets {
        return out;
    }
    let (n, d) = (
        kpi.numerator.unwrap_or(0.0) as u64,
        kpi.denominator.unwrap_or(0.0) as u64,
    );
    let significance = if !testable(n, d, tests.within, tests.timed) {
        msg!(
            "hotline.difference_too_few",
            "too few test calls to test the difference"
        )
    } else if two_proportion_z(n, d, tests.within, tests.timed).is_some_and(|t| t.significant) {
        msg!(
            "hotline.difference_significant",
            "the difference is significant at 95%"
        )
    } else {
        msg!(
            "hotline.difference_not_significant",
            "the difference is not significant at 95%"
        )
    };
    let (target, switch, test, calls) = (
        percent(target.value()),
        percent(switch),
        percent(test),
        tests.timed,
    );
    out.disagreement = Some(if switch_meets {
        msg!(
            "hotline.switch_meets_tests_miss",
            "the switch statistics meet the {target} target ({switch}) but the test calls do not ({test} of {calls} in time); {significance}",
            target = target,
            switch = switch,
            test = test,
            calls = calls,
            significance = significance
        )
    } else {
        msg!(
            "hotline.switch_misses_tests_meet",
            "the switch statistics miss the {target} target ({switch}) but the test calls meet it ({test} of {calls} in time); {significance}",
            target = target,
            switch = switch,
            test = test,
            calls = calls,
            significance = significance
        )
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hour(day: &str, hour: u8, offered: u64, answered: u64, within: u64) -> HourStats {
        HourStats {
            hotline: "sc/cd/jj/024".into(),
            day: day.parse().expect("date"),
            hour,
            threshold_s: 20,
            short_s: 5,
            stats: CallStats {
                intervals: 2,
                offered,
                answered,
                answered_within: within,
                abandoned: offered - answered,
                abandoned_within: Some((offered - answered) / 2),
                abandoned_short: Some(0),
                talk_s: Some(answered as f64 * 180.0),
                wrap_s: Some(answered as f64 * 20.0),
                signed_in_s: Some(4.0 * 3600.0),
                ..CallStats::default()
            },
        }
    }

    #[test]
    fn a_month_of_hours_gives_its_kpis_against_their_targets() {
        let hours = [
            hour("2026-11-02", 9, 100, 90, 80),
            hour("2026-11-02", 10, 120, 100, 85),
            hour("2026-11-03", 9, 60, 58, 56),
            hour("2026-11-03", 10, 40, 40, 40),
        ];
        let out = hotline_kpis(&hours, Granularity::Month, &KpiRules::default());
        assert_eq!(out.len(), 1);
        let m = &out[0];
        assert_eq!(m.period.to_string(), "2026-11");
        assert_eq!(m.stats.offered, 320);
        assert_eq!(m.stats.intervals, 8);
        let sl = m.kpi(KpiId::ServiceLevel).expect("service level");
        // 261 within 20 s; 32 abandoned, 16 of them within 20 s.
        assert_eq!(
            (sl.numerator, sl.denominator),
            (Some(261.0), Some(288.0 + 16.0))
        );
        assert_eq!(sl.meets, Some(true));
        assert_eq!(sl.clearly_misses, Some(false));
        let manual = m.kpi(KpiId::ManualConnection).expect("manual");
        assert_eq!(manual.value, Some(288.0 / 320.0));
        assert_eq!(manual.meets, Some(true));
        // Day 2's busy hour is 10:00 (120 offered, 100/120); day 3's is 09:00 (58/60).
        let busy = m.kpi(KpiId::BusyHourConnection).expect("busy hour");
        assert_eq!(busy.at.as_deref(), Some("2026-11-02 10:00"));
        assert_eq!(busy.value, Some(100.0 / 120.0));
        let talk = m.kpi(KpiId::AvgTalk).expect("talk");
        assert_eq!(talk.value, Some(180.0));
        assert_eq!(talk.target, None);
        assert_eq!(talk.interval, None);
        // Counts the export did not have give no figure, and say so.
        let fcr = m.kpi(KpiId::FirstCallResolution).expect("fcr");
        assert_eq!(fcr.value, None);
        assert_eq!(
            fcr.missing.as_ref().map(|m| m.key),
            Some("hotline.kpi_not_in_data")
        );
        let by_day = hotline_kpis(&hours, Granularity::Day, &KpiRules::default());
        assert_eq!(by_day.len(), 2);
    }

    #[test]
    fn a_count_missing_from_one_interval_is_missing_from_the_period() {
        let mut hours = vec![
            hour("2026-11-02", 9, 100, 90, 80),
            hour("2026-11-02", 10, 100, 90, 80),
        ];
        hours[1].stats.abandoned_within = None;
        let out = hotline_kpis(&hours, Granularity::Day, &KpiRules::default());
        let sl = out[0].kpi(KpiId::ServiceLevel).expect("service level");
        assert_eq!(sl.value, None);
        assert_eq!(
            sl.missing.as_ref().map(|m| m.key),
            Some("hotline.formula_needs")
        );
        let rules = KpiRules {
            formula: ServiceLevelFormula::AllOffered,
            ..KpiRules::default()
        };
        let out = hotline_kpis(&hours, Granularity::Day, &rules);
        assert_eq!(
            out[0].kpi(KpiId::ServiceLevel).and_then(|k| k.value),
            Some(0.8)
        );
    }

    #[test]
    fn mixed_thresholds_give_no_service_level() {
        let mut hours = vec![
            hour("2026-11-02", 9, 100, 90, 80),
            hour("2026-11-02", 10, 100, 90, 80),
        ];
        hours[1].threshold_s = 15;
        let out = hotline_kpis(&hours, Granularity::Day, &KpiRules::default());
        let sl = out[0].kpi(KpiId::ServiceLevel).expect("service level");
        assert_eq!(
            sl.missing.as_ref().map(|m| m.key),
            Some("hotline.mixed_thresholds")
        );
        assert_eq!(out[0].threshold_s, None);
    }

    #[test]
    fn test_calls_that_disagree_with_the_switch_are_noted() {
        let hours = [hour("2026-11-02", 9, 1000, 950, 900)];
        let month = &hotline_kpis(&hours, Granularity::Month, &KpiRules::default())[0];
        assert_eq!(
            month.kpi(KpiId::ServiceLevel).and_then(|k| k.meets),
            Some(true)
        );
        let significance = |c: &Comparison| {
            let note = c.disagreement.as_ref().expect("disagreement");
            assert_eq!(note.key, "hotline.switch_meets_tests_miss");
            assert_eq!(note.param("test"), Some("60.0%"));
            match note.params.get("significance") {
                Some(crate::msg::Param::Msg(m)) => m.key,
                _ => "none",
            }
        };
        let tests = |calls: u64, within: u64| TestCalls {
            calls,
            timed: calls,
            within,
            dialled: calls,
            connected: calls,
            mean_score: Some(78.0),
        };
        // 60 of 100 in time against 92%: the test calls are right to disagree.
        assert_eq!(
            significance(&compare(month, tests(100, 60))),
            "hotline.difference_significant"
        );
        // 6 of 10: too few to say (fewer than 5 late calls to expect).
        assert_eq!(
            significance(&compare(month, tests(10, 6))),
            "hotline.difference_too_few"
        );
        let agree = compare(
            month,
            TestCalls {
                calls: 10,
                timed: 10,
                within: 9,
                ..TestCalls::default()
            },
        );
        assert_eq!(agree.disagreement, None);
        assert_eq!(agree.within_share, Some(0.9));
        assert_eq!(agree.connected_share, None);
    }
}
