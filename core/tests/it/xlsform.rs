use fieldcheck_core::templates::xlsform::{Imported, Severity, import};
use fieldcheck_core::templates::{AnswerType, CallMoment, Knockout, TemplateKind};

use super::fixture;

/// A fixture imported, or every problem it has.
fn imported(name: &str) -> Imported {
    import(&fixture(name)).unwrap_or_else(|e| {
        let problems: Vec<String> = e.iter().map(ToString::to_string).collect();
        panic!("{name}: {}", problems.join("\n"))
    })
}

#[test]
fn the_example_xlsform_imports_with_groups_points_and_skip_logic() {
    let imported = imported("quick_hall_check.xlsx");
    let t = imported.template;
    assert_eq!(t.id, "quick_hall_check");
    assert_eq!(t.kind, TemplateKind::Checklist);
    assert_eq!(t.pass_threshold, 80.0);
    let sections: Vec<(&str, f64)> = t
        .sections
        .iter()
        .map(|s| (s.id.as_str(), s.weight))
        .collect();
    assert_eq!(sections, [("arrival", 40.0), ("service", 60.0)]);
    let signage = t.item("signage").expect("signage");
    assert!(matches!(signage.answer, AnswerType::PassFail) && signage.allow_na);
    assert_eq!(signage.label.zh, "品牌标识规范");
    assert_eq!(signage.label.en, "Signage follows the VI manual");
    assert_eq!(
        signage.hint.as_ref().map(|h| h.zh.as_str()),
        Some("检查颜色和标志")
    );
    assert!(matches!(
        t.item("wait_s").expect("wait").answer,
        AnswerType::Number {
            integer: true,
            pass_if: Some(_),
            ..
        }
    ));
    // The nested group's relevance is folded into its items.
    let vip = t.item("vip_priority").expect("vip");
    assert_eq!(
        vip.relevant.as_ref().map(ToString::to_string).as_deref(),
        Some("(${vip} = 'yes')")
    );
    assert_eq!(
        vip.scoring.as_ref().and_then(|s| s.critical),
        Some(Knockout::ZeroSection)
    );
    assert_eq!(
        t.item("no_forced_vas")
            .and_then(|i| i.scoring.as_ref())
            .and_then(|s| s.critical),
        Some(Knockout::CapVisit(60.0))
    );
    let courtesy = t.item("courtesy").expect("courtesy");
    assert_eq!(
        courtesy
            .answer
            .choices()
            .map(|c| c.iter().map(|c| c.score).collect::<Vec<_>>()),
        Some(vec![Some(1.0), Some(0.5), Some(0.0)])
    );
    assert!(matches!(
        t.item("photo").expect("photo").answer,
        AnswerType::Photo
    ));
    assert!(matches!(
        t.item("where").expect("where").answer,
        AnswerType::Location
    ));

    let warnings: Vec<String> = imported.warnings.iter().map(ToString::to_string).collect();
    assert!(
        imported
            .warnings
            .iter()
            .all(|w| w.severity == Severity::Warning)
    );
    for expected in [
        "`start` is captured",
        "column `appearance`",
        "column `version`",
    ] {
        assert!(
            warnings.iter().any(|w| w.contains(expected)),
            "no warning about {expected}: {warnings:#?}"
        );
    }
}

#[test]
fn a_broken_xlsform_reports_every_problem_by_row_and_column() {
    let problems = import(&fixture("broken_form.xlsx")).expect_err("broken");
    let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
    let has = |row: usize, column: &str, needle: &str| {
        problems.iter().any(|p| {
            p.severity == Severity::Error
                && p.row == Some(row)
                && p.column.as_deref() == Some(column)
                && p.message.text.contains(needle)
        })
    };
    assert!(has(3, "type", "`nolist`"), "{text:#?}");
    assert!(has(4, "type", "`calculate`"), "{text:#?}");
    assert!(has(4, "calculation", "not supported"), "{text:#?}");
    assert!(has(5, "points", "`lots`"), "{text:#?}");
    assert!(has(6, "type", "`begin_repeat`"), "{text:#?}");
    assert!(has(2, "type", "never closed"), "{text:#?}");
}

#[test]
fn an_xlsform_test_call_tells_the_call_bar_where_to_write() {
    let imported = imported("quick_call.xlsx");
    let t = imported.template;
    let moment = |id: &str| t.item(id).and_then(|i| i.call);
    assert_eq!(moment("call_time"), Some(CallMoment::Dialled));
    assert_eq!(moment("answer_s"), Some(CallMoment::Wait));
    assert_eq!(moment("talk_s"), Some(CallMoment::Talk));
    assert_eq!(moment("connected"), None);
}
