use fieldcheck_core::templates::xlsform::{Imported, Settings, Severity, import, import_with};
use fieldcheck_core::templates::{AnswerType, CallMoment, Knockout, TemplateKind};

use super::fixture;

/// The errors a fixture is refused with: message code, row and column.
fn errors_of(name: &str) -> Vec<(&'static str, Option<usize>, Option<String>)> {
    import(&fixture(name))
        .expect_err("refused")
        .into_iter()
        .filter(|p| p.severity == Severity::Error)
        .map(|p| (p.message.key, p.row, p.column))
        .collect()
}

/// The warnings of an import: message code, row and column.
fn warnings_of(imported: &Imported) -> Vec<(&'static str, Option<usize>, Option<&str>)> {
    imported
        .warnings
        .iter()
        .map(|p| (p.message.key, p.row, p.column.as_deref()))
        .collect()
}

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
    // `calculate` with its `calculation` is supported now.
    assert!(
        !problems
            .iter()
            .any(|p| p.severity == Severity::Error && p.row == Some(4)),
        "{text:#?}"
    );
    assert!(has(5, "points", "`lots`"), "{text:#?}");
    assert!(has(6, "type", "never closed with end_repeat"), "{text:#?}");
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

/// `field_shapes.xlsx`, written for this test in the shapes other tools
/// give: no `channel` (given on import instead), `label:English` with one
/// colon, type `string`, choices under `value`, `select_one yn or_other`,
/// `constraint message` with a space, `required_message`, a `bind::`
/// column, and questions before and after a group.
#[test]
fn a_form_written_for_other_tools_imports_once_its_channel_is_given() {
    let given = Settings {
        channel: Some("owned_hall".into()),
        ..Settings::default()
    };
    let imported = import_with(&fixture("field_shapes.xlsx"), &given).unwrap_or_else(|e| {
        panic!(
            "{}",
            e.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        )
    });
    let t = imported.template;
    let sections: Vec<&str> = t.sections.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        sections,
        ["main", "g1", "main_2"],
        "each run of loose questions its own section"
    );
    let visitor = t.item("visitor").expect("visitor");
    assert!(matches!(visitor.answer, AnswerType::Text));
    assert_eq!(
        (visitor.label.en.as_str(), visitor.label.zh.as_str()),
        ("Your name", "您的姓名")
    );
    let age = t.item("age").expect("age");
    assert_eq!(
        age.constraint_message.as_ref().map(|m| m.en.as_str()),
        Some("Between 0 and 129")
    );
    let greeted = t.item("greeted").expect("greeted");
    let choices: Vec<&str> = greeted
        .answer
        .choices()
        .expect("choices")
        .iter()
        .map(|c| c.value.as_str())
        .collect();
    assert_eq!(choices, ["yes", "no", "other"]);
    let warned: Vec<&str> = imported.warnings.iter().map(|w| w.message.key).collect();
    for key in [
        "xlsform.or_other",
        "xlsform.raw_column",
        "xlsform.display_hint",
    ] {
        assert!(warned.contains(&key), "{key} in {warned:?}");
    }
    // Without the channel: refused, saying how to give it.
    let refused = import(&fixture("field_shapes.xlsx")).expect_err("no channel");
    let keys: Vec<&str> = refused.iter().map(|p| p.message.key).collect();
    assert!(keys.contains(&"xlsform.no_channel"), "{keys:?}");
}

/// `not_yet.xlsx`: a calculate (without its calculation), a repeat group,
/// an unknown type and no channel. Every problem is reported, each naming
/// its cause, the missing channel hiding none of the others; `calculate`
/// and repeat groups are no longer among what is not supported.
#[test]
fn features_not_supported_yet_are_named_and_reported_together() {
    let problems = import(&fixture("not_yet.xlsx")).expect_err("refused");
    let found: Vec<(&str, Option<usize>)> = problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .map(|p| (p.message.key, p.row))
        .collect();
    assert!(
        !found.contains(&("xlsform.type_not_yet", Some(2))),
        "{found:?}"
    );
    for want in [
        ("xlsform.no_channel", Some(1)),
        ("xlsform.unsupported_type", Some(6)),
    ] {
        assert!(found.contains(&want), "{want:?} in {found:?}");
    }
    assert!(
        !found.iter().any(|(_, row)| *row == Some(3)),
        "the repeat is read: {found:?}"
    );
    assert!(
        !found
            .iter()
            .any(|(k, row)| *k == "xlsform.metadata"
                || (*k == "xlsform.end_group" && *row == Some(5))),
        "`end repeat` is not read as the `end` timestamp: {found:?}"
    );
}

/// `queue_calculations.xlsx`: people waiting per open counter worked out
/// (`round(... div ..., 1)`), which decides whether "opened an extra
/// counter" is asked, a constraint reading another answer, and a summary
/// text (`concat`). Filled in as a device would, the record is refused
/// until what the calculation makes required is answered, and its derived
/// rows carry the calculated values.
#[test]
fn an_xlsform_with_calculations_imports_fills_in_and_derives_them() {
    use fieldcheck_core::answers::{AnswerValue, evaluate};
    use fieldcheck_core::records::derive::derive;
    use fieldcheck_core::records::{Actor, Record, RecordError};
    use fieldcheck_core::vocab::Role;

    let t = imported("queue_calculations.xlsx").template;
    assert!(matches!(
        t.item("per_counter").map(|i| &i.answer),
        Some(AnswerType::Calculate(_))
    ));
    let li = |ms| Actor {
        user: "li".into(),
        role: Role::Inspector,
        device: "d1".into(),
        now_ms: ms,
    };
    let mut r = Record::create(&t, "q-1", "cq/yz/001", &li(1_000)).expect("create");
    for (k, (item, v)) in [
        ("waiting", 13.0),
        ("counters_open", 2.0),
        ("seats_taken", 5.0),
    ]
    .into_iter()
    .enumerate()
    {
        r.answer(
            &t,
            &li(2_000 + k as i64),
            item,
            AnswerValue::Number(v),
            None,
        )
        .expect("answer");
    }
    r.answer(&t, &li(3_000), "greeting", AnswerValue::Pass, None)
        .expect("answer");
    // 6.5 a counter: crowded, so the extra counter is asked and required.
    let (relevant, calculated) = evaluate(&t, &r.state().expect("state").answer_values(), None);
    assert_eq!(
        calculated.get("per_counter"),
        Some(&AnswerValue::Number(6.5))
    );
    assert_eq!(
        calculated.get("crowded"),
        Some(&AnswerValue::Text("yes".into()))
    );
    assert!(relevant.contains("extra_counter"));
    assert!(matches!(
        r.submit(&t, &li(4_000)),
        Err(RecordError::Incomplete(_))
    ));
    // A calculated item takes no answer from the device.
    assert!(
        r.answer(
            &t,
            &li(4_500),
            "per_counter",
            AnswerValue::Number(1.0),
            None
        )
        .is_err()
    );
    r.answer(&t, &li(5_000), "extra_counter", AnswerValue::Fail, None)
        .expect("answer");
    r.submit(&t, &li(6_000)).expect("submit");

    let d = derive("q-1", &r.state().expect("state"), Some(&t), &[]);
    let value = |id: &str| {
        d.answers
            .iter()
            .find(|a| a.item_id == id)
            .map(|a| a.value.clone())
    };
    assert_eq!(value("per_counter").as_deref(), Some("6.5"));
    assert_eq!(
        value("summary").as_deref(),
        Some("\"13 waiting at 2 counters\"")
    );
    assert_eq!(d.record.score, Some(50.0), "the extra counter failed");
}

/// Defaults: `counters_open` starts at 2 and `greeting` at pass in
/// `queue_calculations.xlsx`. A new record starts with them as answers:
/// kept unless changed, and a cleared one stays cleared.
#[test]
fn defaults_start_the_form_and_submitting_takes_them_unless_changed() {
    use fieldcheck_core::answers::AnswerValue;
    use fieldcheck_core::form::form_view;
    use fieldcheck_core::records::{Actor, Record};
    use fieldcheck_core::vocab::Role;

    let t = imported("queue_calculations.xlsx").template;
    assert_eq!(
        t.item("counters_open").and_then(|i| i.default.clone()),
        Some(AnswerValue::Number(2.0))
    );
    let li = |ms| Actor {
        user: "li".into(),
        role: Role::Inspector,
        device: "d1".into(),
        now_ms: ms,
    };
    let mut r = Record::create(&t, "q-2", "cq/yz/001", &li(1_000)).expect("create");
    let view = form_view("q-2", &r.state().expect("state"), &t);
    let shown = |id: &str| {
        view.sections
            .iter()
            .flat_map(|s| &s.items)
            .find(|i| i.id == id)
            .and_then(|i| i.value.clone())
    };
    assert_eq!(shown("counters_open"), Some(serde_json::json!(2.0)));
    assert_eq!(shown("greeting"), Some(serde_json::json!("pass")));
    assert_eq!(view.answered, 2, "the defaults are answers from the start");
    assert!(
        !view.problems.iter().any(|p| p.item == "greeting"),
        "a required item with a default is not missing: {:?}",
        view.problems
    );

    r.answer(&t, &li(2_000), "waiting", AnswerValue::Number(5.0), None)
        .expect("answer");
    r.answer(&t, &li(2_500), "greeting", AnswerValue::Fail, None)
        .expect("changed");
    // Cleared, a default does not come back: the required item is missing.
    r.clear(&t, &li(2_600), "counters_open").expect("cleared");
    assert!(r.submit(&t, &li(2_700)).is_err());
    r.answer(
        &t,
        &li(2_800),
        "counters_open",
        AnswerValue::Number(2.0),
        None,
    )
    .expect("answer");
    r.submit(&t, &li(3_000)).expect("submit");
    let answers = r.state().expect("state").answer_values();
    assert_eq!(
        answers.get("counters_open"),
        Some(&AnswerValue::Number(2.0))
    );
    assert_eq!(
        answers.get("greeting"),
        Some(&AnswerValue::Fail),
        "changed stays changed"
    );
    // 2.5 a counter: not crowded, so the extra counter is not asked.
    assert!(!answers.contains_key("extra_counter"));
}

/// A default worked out from answers or functions is named as not supported
/// yet, and one that is no answer of its item's type says why.
#[test]
fn a_dynamic_or_wrong_default_is_named() {
    let problems = import(&fixture("dynamic_default.xlsx")).expect_err("refused");
    let found: Vec<(&str, Option<usize>, Option<&str>)> = problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .map(|p| (p.message.key, p.row, p.column.as_deref()))
        .collect();
    for want in [
        ("xlsform.dynamic_default", Some(3), Some("default")),
        ("xlsform.dynamic_default", Some(4), Some("default")),
        ("template.default", Some(5), Some("default")),
    ] {
        assert!(found.contains(&want), "{want:?} in {found:?}");
    }
}

/// `other_types.xlsx`: `hidden` (a value carried, never shown) becomes a
/// calculation of its default; `acknowledge` a single choice "OK";
/// `barcode` text typed in, with a warning saying so.
#[test]
fn hidden_acknowledge_and_barcode_are_captured() {
    use fieldcheck_core::answers::{AnswerValue, evaluate};

    let imported = imported("other_types.xlsx");
    let t = &imported.template;
    assert!(matches!(
        t.item("form_variant").map(|i| &i.answer),
        Some(AnswerType::Calculate(_))
    ));
    let (_, calculated) = evaluate(t, &Default::default(), None);
    assert_eq!(
        calculated.get("form_variant"),
        Some(&AnswerValue::Text("v2".into()))
    );
    match t.item("consent").map(|i| &i.answer) {
        Some(AnswerType::SingleChoice(c)) => {
            let values: Vec<&str> = c.iter().map(|c| c.value.as_str()).collect();
            assert_eq!(values, ["OK"]);
        }
        other => panic!("consent: {other:?}"),
    }
    assert!(matches!(
        t.item("sim_serial").map(|i| &i.answer),
        Some(AnswerType::Text)
    ));
    assert!(
        imported
            .warnings
            .iter()
            .any(|w| w.message.key == "xlsform.barcode" && w.row == Some(5)),
        "{:?}",
        imported.warnings
    );
}

/// `three_languages.xlsx`: English, Chinese and Swahili. The Swahili
/// columns are not kept yet, and each one is named in a warning (headers
/// as the importer reads them, in lower case), on the survey and the
/// choices sheets alike.
#[test]
fn a_language_not_kept_is_named_not_dropped_silently() {
    let imported = imported("three_languages.xlsx");
    let dropped: Vec<(&str, Option<&str>)> = imported
        .warnings
        .iter()
        .filter(|w| w.message.key == "xlsform.language_dropped")
        .map(|w| (w.sheet.as_str(), w.column.as_deref()))
        .collect();
    assert_eq!(
        dropped,
        [
            ("survey", Some("label::swahili (sw)")),
            ("survey", Some("hint::swahili (sw)")),
            ("choices", Some("label::swahili (sw)")),
        ],
        "{:?}",
        imported.warnings
    );
    let greeting = imported.template.item("greeting").expect("greeting");
    assert_eq!(greeting.label.en, "Greeted on arrival");
}

/// `cascading_choices.xlsx`, as KoboToolbox forms write cascading selects:
/// the districts offered are those of the city chosen (`city=${city}`, a
/// column of the list, here a `select_one_external` list on the
/// `external_choices` sheet), the offers those whose `min_age` the
/// respondent has reached (a column compared as a number), and another
/// district leaves out the one chosen (`name`). A column no filter reads
/// is not kept. An answer the filter does not offer, sent by a client that
/// is not ours or left behind when the city changed, stops the submission.
#[test]
fn choice_filters_offer_the_choices_the_answers_allow() {
    use fieldcheck_core::answers::{AnswerProblem, AnswerValue};
    use fieldcheck_core::form::{Input, form_view};
    use fieldcheck_core::records::{Actor, Record, RecordError};
    use fieldcheck_core::vocab::Role;

    let t = imported("cascading_choices.xlsx").template;
    let yz = t
        .item("district")
        .and_then(|i| i.answer.choices())
        .and_then(|c| c.iter().find(|c| c.value == "yz"))
        .expect("yz");
    assert_eq!(
        yz.data.iter().collect::<Vec<_>>(),
        [(&"city".to_string(), &"cq".to_string())],
        "the column the filter reads, and not `notes`"
    );
    let li = |ms| Actor {
        user: "li".into(),
        role: Role::Inspector,
        device: "d1".into(),
        now_ms: ms,
    };
    let mut r = Record::create(&t, "c-1", "cq/yz/001", &li(1_000)).expect("create");
    let offered = |r: &Record, id: &str| -> Vec<String> {
        let view = form_view("c-1", &r.state().expect("state"), &t);
        let item = view
            .sections
            .iter()
            .flat_map(|s| &s.items)
            .find(|i| i.id == id)
            .expect("item");
        match &item.input {
            Input::SingleChoice { choices } | Input::MultipleChoice { choices } => {
                choices.iter().map(|c| c.value.clone()).collect()
            }
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(offered(&r, "city"), ["cq", "sc"]);
    assert!(offered(&r, "district").is_empty(), "no city, no district");
    let answer = |r: &mut Record, ms, id: &str, v: AnswerValue| {
        r.answer(&t, &li(ms), id, v, None).expect("answer");
    };
    answer(&mut r, 2_000, "city", AnswerValue::Choice("cq".into()));
    assert_eq!(offered(&r, "district"), ["yz", "jb"]);
    answer(&mut r, 2_100, "district", AnswerValue::Choice("yz".into()));
    assert_eq!(offered(&r, "other_district"), ["jb"]);
    answer(&mut r, 2_200, "age", AnswerValue::Number(20.0));
    assert_eq!(offered(&r, "offers"), ["student", "standard"]);

    // A Sichuan district for Chongqing, and a senior card at 20: refused,
    // each value named.
    answer(
        &mut r,
        3_000,
        "other_district",
        AnswerValue::Choice("wh".into()),
    );
    answer(
        &mut r,
        3_100,
        "offers",
        AnswerValue::Choices(vec!["standard".into(), "senior".into()]),
    );
    let Err(RecordError::Incomplete(problems)) = r.submit(&t, &li(4_000)) else {
        panic!("submitted with choices not offered")
    };
    let named: Vec<(&str, &str)> = problems
        .iter()
        .filter_map(|p| match p {
            AnswerProblem::Invalid { item, message } if message.key == "answers.not_offered" => {
                Some((item.as_str(), message.text.as_str()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        named,
        [
            ("offers", "`senior` is not offered, given the other answers"),
            (
                "other_district",
                "`wh` is not offered, given the other answers"
            )
        ]
    );
    answer(
        &mut r,
        5_000,
        "other_district",
        AnswerValue::Choice("jb".into()),
    );
    answer(
        &mut r,
        5_100,
        "offers",
        AnswerValue::Choices(vec!["standard".into()]),
    );
    // Changing the city leaves a district the filter no longer offers.
    answer(&mut r, 5_200, "city", AnswerValue::Choice("sc".into()));
    assert!(
        r.submit(&t, &li(5_300)).is_err(),
        "Yuzhong is not in Sichuan"
    );
    answer(&mut r, 5_400, "district", AnswerValue::Choice("wh".into()));
    r.clear(&t, &li(5_500), "other_district").expect("clear");
    r.submit(&t, &li(6_000)).expect("submit");
}

/// `as_people_write.xlsx`: what real forms hold that pyxform lets by. A
/// name used again in another group, a project's own columns
/// (`indicator`, `theme`), a required note or calculation, a calculation's
/// fixed value in `default`, a question worked out by a `calculation`, a
/// `form_id` no template id can be: each imported with a warning; `int` and
/// `gps`, pyxform's older type names, read as `integer` and `geopoint`. A choice named
/// `1` compared with the number 1, a condition written with typographic
/// quotes (`’1’`, as a spreadsheet turns them) and `floor()` work as in ODK.
#[test]
fn a_form_as_people_write_it_imports_with_each_liberty_named() {
    use fieldcheck_core::answers::{AnswerValue, Answers, evaluate};

    let imported = imported("as_people_write.xlsx");
    let warned = warnings_of(&imported);
    for want in [
        ("xlsform.name_again", Some(11), Some("name")),
        ("xlsform.other_column", None, Some("indicator")),
        ("xlsform.other_column", None, Some("theme")),
        ("xlsform.note_required", Some(5), Some("required")),
        ("xlsform.calculate_required", Some(12), Some("required")),
        ("xlsform.calculated_question", Some(15), Some("calculation")),
        ("xlsform.form_id", Some(2), Some("form_id")),
    ] {
        assert!(warned.contains(&want), "{want:?} in {warned:?}");
    }
    let t = imported.template;
    assert_eq!(t.id, "as_people__write");
    // pyxform's older type names.
    assert!(matches!(
        t.item("children").map(|i| &i.answer),
        Some(AnswerType::Number { integer: true, .. })
    ));
    assert!(matches!(
        t.item("where").map(|i| &i.answer),
        Some(AnswerType::Location)
    ));
    assert!(t.item("comment").is_some() && t.item("store_comment").is_some());
    assert!(!t.item("thanks").expect("note").required);

    let answers = |consent: &str| -> Answers {
        [
            ("members".to_string(), AnswerValue::Number(5.0)),
            ("consent".to_string(), AnswerValue::Choice(consent.into())),
        ]
        .into_iter()
        .collect()
    };
    let (relevant, calculated) = evaluate(&t, &answers("1"), None);
    assert_eq!(calculated.get("rooms"), Some(&AnswerValue::Number(2.0)));
    assert_eq!(
        calculated.get("summary"),
        Some(&AnswerValue::Text("5 members".into()))
    );
    assert_eq!(
        calculated.get("wave"),
        Some(&AnswerValue::Number(3.0)),
        "a number in a calculation's default stays a number"
    );
    for shown in ["thanks", "store_comment", "crowded"] {
        assert!(relevant.contains(shown), "{shown} with consent 1");
    }
    let (relevant, _) = evaluate(&t, &answers("0"), None);
    for hidden in ["thanks", "store_comment", "crowded"] {
        assert!(!relevant.contains(hidden), "{hidden} with consent 0");
    }
}

/// Two questions named `comment` in two groups import, but `${ comment }`
/// cannot tell them apart: refused where it is written, as pyxform does.
/// Two of one name in the same group are refused outright.
#[test]
fn a_reference_to_a_name_two_questions_share_is_refused_where_written() {
    assert_eq!(
        errors_of("ambiguous_name.xlsx"),
        [
            ("xlsform.name_twice", Some(11), Some("name".into())),
            (
                "xlsform.ambiguous_reference",
                Some(8),
                Some("relevant".into())
            )
        ]
    );
}

/// A checklist with calculations, answered in full, scores as complete: the
/// calculated values are not answers to be checked.
#[test]
fn a_checklist_with_calculations_answered_in_full_is_complete() {
    use fieldcheck_core::answers::{AnswerValue, Answers};
    use fieldcheck_core::scoring::audit::score_visit;

    let t = imported("queue_calculations.xlsx").template;
    let answers: Answers = [
        ("waiting", AnswerValue::Number(5.0)),
        ("counters_open", AnswerValue::Number(2.0)),
        ("greeting", AnswerValue::Pass),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let visit = score_visit(&t, &answers, None);
    assert!(visit.complete, "{:?}", visit.missing_required);
    assert!(visit.passed);
}

/// `xpath_paths.xlsx`: questions named by ODK's paths rather than
/// `${name}`: `../age` from a group, `../../../age` from a group inside it,
/// `/data/age` from the top, `../note` reaching the second question named
/// `note` (imported as `member_note`), `current()/../region` in a
/// `choice_filter`. Each reaches the question it reaches in ODK.
#[test]
fn odk_paths_reach_the_questions_they_name_through_the_groups() {
    use fieldcheck_core::answers::{AnswerValue, Answers, evaluate, meets_constraint, offered};

    let t = imported("xpath_paths.xlsx").template;
    let relevance = |id: &str| {
        t.item(id)
            .and_then(|i| i.relevant.as_ref())
            .map(ToString::to_string)
    };
    assert_eq!(
        relevance("member_note").as_deref(),
        Some("((${size} > 2) and ((${age} > 30) and (${member_age} > 60)))")
    );
    let answers = |age: f64, size: f64, member_age: f64| -> Answers {
        [
            ("age", AnswerValue::Number(age)),
            ("size", AnswerValue::Number(size)),
            ("member_age", AnswerValue::Number(member_age)),
            ("region", AnswerValue::Choice("north".into())),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    };
    let a = answers(40.0, 3.0, 70.0);
    let (relevant, calculated) = evaluate(&t, &a, None);
    for shown in ["size", "note", "member_age", "member_note", "city"] {
        assert!(relevant.contains(shown), "{shown}");
    }
    assert_eq!(calculated.get("double"), Some(&AnswerValue::Number(6.0)));
    let city = t.item("city").expect("city");
    let cities: Vec<&str> = offered(city, &relevant, &a, None)
        .iter()
        .map(|c| c.value.as_str())
        .collect();
    assert_eq!(cities, ["harbin", "shenyang"]);
    let size = t.item("size").expect("size");
    assert!(meets_constraint(size, &AnswerValue::Number(3.0), &a, None));
    assert!(
        !meets_constraint(size, &AnswerValue::Number(41.0), &a, None),
        "`. < /data/age`"
    );

    // The member is 50: their note is not asked; a household of one asks
    // neither note nor member.
    let (relevant, _) = evaluate(&t, &answers(40.0, 3.0, 50.0), None);
    assert!(!relevant.contains("member_note"));
    let (relevant, _) = evaluate(&t, &answers(40.0, 1.0, 70.0), None);
    for hidden in ["note", "member_age", "member_note"] {
        assert!(!relevant.contains(hidden), "{hidden}");
    }
    // Under 18: the household group is skipped.
    let (relevant, _) = evaluate(&t, &answers(17.0, 3.0, 70.0), None);
    assert!(!relevant.contains("size") && relevant.contains("region"));
}

/// `visit_dates.xlsx`: `today()` and `now()` read when the record was
/// started (in Beijing), so that the device and the server work out the
/// same values: a visit day may not be after it, the days a store has been
/// open are counted to it, and the start is stamped. The record here is
/// started at half past one in the morning of 1 December 2026, Beijing
/// time (17:30 on 30 November, UTC).
#[test]
fn today_and_now_are_when_the_record_was_started() {
    use fieldcheck_core::answers::{AnswerProblem, AnswerValue, with_calculated};
    use fieldcheck_core::form::form_view;
    use fieldcheck_core::records::{Actor, Record, RecordError};
    use fieldcheck_core::vocab::Role;

    let t = imported("visit_dates.xlsx").template;
    let started = 1_796_059_800_000;
    let li = |ms| Actor {
        user: "li".into(),
        role: Role::Surveyor,
        device: "d1".into(),
        now_ms: ms,
    };
    let mut r = Record::create(&t, "v-1", "cq/yz/001", &li(started)).expect("create");
    let date = |d: &str| AnswerValue::Text(d.into());
    // Days later on the device: today() is still the day it was started.
    let later = started + 3 * 86_400_000;
    r.answer(&t, &li(later), "opened", date("2026-10-01"), None)
        .expect("answer");
    r.answer(&t, &li(later), "visit_day", date("2026-12-02"), None)
        .expect("answer");
    let state = r.state().expect("state");
    let view = form_view("v-1", &state, &t);
    let visit_day = view
        .sections
        .iter()
        .flat_map(|s| &s.items)
        .find(|i| i.id == "visit_day")
        .expect("shown");
    assert!(visit_day.constraint_broken, "2 December is after today()");
    assert!(matches!(
        r.submit(&t, &li(later)),
        Err(RecordError::Incomplete(ref p)) if matches!(p.as_slice(), [AnswerProblem::Constraint { .. }])
    ));

    r.answer(&t, &li(later), "visit_day", date("2026-12-01"), None)
        .expect("answer");
    let state = r.state().expect("state");
    let (relevant, all) = with_calculated(&t, &state.answer_values(), Some(started));
    assert_eq!(all.get("days_open"), Some(&AnswerValue::Number(61.0)));
    assert_eq!(
        all.get("stamp"),
        Some(&AnswerValue::Text("2026-12-01 01:30".into()))
    );
    assert!(relevant.contains("queue"), "open more than 30 days");
    r.submit(&t, &li(later)).expect("complete");

    // Without a record there is no today(): the count is not made.
    let (_, none) = with_calculated(&t, &state.answer_values(), None);
    assert_eq!(none.get("days_open"), None);
}

/// `older_spellings.xlsx`: pyxform's other names for the choice types
/// (`select one from L`, `select all that apply from L`, `select1 L`),
/// what ODK lets by imported with a warning each (a default that is no
/// choice, a constraint message without a constraint, a constraint on a
/// calculation), a multiple choice compared with text as ODK compares it,
/// `max()` of single values, `jr:choice-name()` and `once()`;
/// `start-geopoint` is the record's location stamp, `dateTime` is
/// `datetime`, `audio` and `file` questions take files, `or specify other`
/// is `or_other`, a question without a label shows its name, a choice
/// named with spaces is named with `_`, and a value compared with no choice
/// gives what it always gives in ODK.
#[test]
fn older_spellings_and_odk_liberties_import() {
    use fieldcheck_core::answers::{AnswerValue, Answers, evaluate};

    let imported = imported("older_spellings.xlsx");
    let warned = warnings_of(&imported);
    for want in [
        ("xlsform.default_not_a_choice", Some(3), Some("default")),
        (
            "xlsform.constraint_message_alone",
            Some(4),
            Some("constraint_message"),
        ),
        ("xlsform.calculate_constraint", Some(5), Some("constraint")),
        ("xlsform.metadata", Some(10), Some("type")),
        ("xlsform.no_label", Some(14), Some("label")),
        ("xlsform.or_other", Some(15), Some("type")),
        ("xlsform.not_a_choice", Some(18), Some("relevant")),
        ("xlsform.choice_spaces", Some(6), Some("name")),
    ] {
        assert!(warned.contains(&want), "{want:?} in {warned:?}");
    }
    let t = imported.template;
    for (id, single) in [("open", true), ("services", false), ("queue", true)] {
        let kind = t.item(id).map(|i| &i.answer);
        assert!(
            matches!(
                (kind, single),
                (Some(AnswerType::SingleChoice(_)), true)
                    | (Some(AnswerType::MultipleChoice(_)), false)
            ),
            "{id}: {kind:?}"
        );
    }
    assert!(t.item("services").is_some_and(|i| i.default.is_none()));
    assert!(matches!(
        t.item("closes").map(|i| &i.answer),
        Some(AnswerType::DateTime)
    ));
    // A choice named with spaces is named with `_`, and the condition
    // written with its old name follows; one compared with no choice at
    // all (`'maybe'`) is never true, as in ODK.
    let (relevant, _) = evaluate(
        &t,
        &Answers::from([
            (
                "school".to_string(),
                AnswerValue::Choice("Primary_school".into()),
            ),
            ("open".to_string(), AnswerValue::Choice("yes".into())),
        ]),
        None,
    );
    assert!(relevant.contains("which_primary") && !relevant.contains("odd"));
    let other = t.item("main_service").and_then(|i| i.answer.choices());
    assert_eq!(
        other.map(|c| c.iter().map(|c| c.value.as_str()).collect::<Vec<_>>()),
        Some(vec!["sim", "broadband", "other"]),
        "`or specify other` is `or_other`"
    );
    // A recording and a file are answered with files, as a photo is.
    for (id, takes) in [
        ("consent_read", "audio/mp4"),
        ("receipt", "application/pdf"),
    ] {
        let item = t.item(id).expect(id);
        assert!(
            matches!(item.answer, AnswerType::Audio | AnswerType::File),
            "{id}"
        );
        let file = fieldcheck_core::answers::MediaRef {
            hash: "ab".repeat(32),
            mime: takes.into(),
            size: 1_024,
        };
        let value = AnswerValue::Media(vec![file]);
        assert_eq!(fieldcheck_core::answers::check_value(item, &value), Ok(()));
        assert!(
            fieldcheck_core::answers::check_value(item, &AnswerValue::Text("x".into())).is_err()
        );
    }
    let with = |services: &[&str], total: Option<f64>| -> Answers {
        let mut a = Answers::from([(
            "services".to_string(),
            AnswerValue::Choices(services.iter().map(|s| s.to_string()).collect()),
        )]);
        if let Some(n) = total {
            a.insert("total".into(), AnswerValue::Number(n));
        }
        a
    };
    let mut a = with(&["sim"], Some(7.0));
    a.insert("open".into(), AnswerValue::Choice("yes".into()));
    let (relevant, calculated) = evaluate(&t, &a, None);
    assert!(relevant.contains("total"), "SIM cards alone");
    assert_eq!(calculated.get("target"), Some(&AnswerValue::Number(7.0)));
    assert_eq!(calculated.get("offered"), Some(&AnswerValue::Number(1.0)));
    assert_eq!(
        calculated.get("open_label"),
        Some(&AnswerValue::Text("Yes".into())),
        "the chosen value's label"
    );
    assert_eq!(calculated.get("counted"), Some(&AnswerValue::Number(7.0)));
    let (relevant, calculated) = evaluate(&t, &with(&["sim", "broadband"], None), None);
    assert!(
        !relevant.contains("total"),
        "`= 'sim'` is the node's whole text"
    );
    assert_eq!(calculated.get("target"), Some(&AnswerValue::Number(3.0)));
}

/// `unreached_path.xlsx`: a path that reaches no question, `position(..)`
/// outside a repeat and a question of a type not supported: each refused
/// once, where written, and nothing more said of the cell or of a
/// reference to the question.
#[test]
fn a_path_that_reaches_nothing_is_refused_once_where_written() {
    assert_eq!(
        errors_of("unreached_path.xlsx"),
        [
            ("xlsform.path_unreached", Some(3), Some("relevant".into())),
            // A question refused for its type is not named again where
            // it is read (row 6).
            ("xlsform.type_not_yet", Some(5), Some("type".into())),
            // `position(..)` outside a repeat.
            ("template.expr", Some(4), Some("calculation".into())),
            // Nor is a calculation the template's check refuses (row 8).
            ("template.expr", Some(7), Some("calculation".into()))
        ]
    );
}
