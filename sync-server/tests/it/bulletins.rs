//! The monthly bulletin: every section in the reader's language, kept once
//! generated until a manager asks for it again, as HTML, PDF or XLSX, and
//! only for managers over the unit.

use fieldcheck_tests::{at, audit_at, get_json, http, http_raw, post_file, team, upload};

async fn page(addr: &str, token: &str, path: &str) -> (u16, String) {
    http(addr, "GET", path, Some(token), None).await
}

#[tokio::test]
async fn a_month_of_one_province_in_both_languages_kept_until_generated_again() {
    let team = team(&[]).await;
    let (addr, t) = (&team.server.addr, team.t.clone());
    let (root, wang, li) = (team.root.clone(), team.wang.clone(), team.li.clone());
    // An audit in May at cq/yz/001 with one standard failed.
    let audit = audit_at(&t, "bl-1", "cq/yz/001", at("2026-05-06T02:00:00Z"), &["a3"]);
    let _ws = upload(addr, &li, &root, "bl-1", audit).await;

    let (status, en) = page(addr, &root, "/api/v1/bulletins/2026-05?unit=cq&lang=en").await;
    assert_eq!(status, 200, "{en}");
    for section in [
        "Scorecard league table",
        "Channel compliance ranking",
        "Weakest standards",
        "Hotline KPIs",
        "Customer satisfaction",
        "Corrective actions",
    ] {
        assert!(en.contains(section), "{section} in {en}");
    }
    // The districts of the province are its rows.
    assert!(en.contains("Yuzhong") && en.contains("Jiangbei"), "{en}");
    assert!(en.contains("insufficient sample"), "{en}");
    let (_, zh) = page(addr, &root, "/api/v1/bulletins/2026-05?unit=cq").await;
    assert!(zh.contains("服务评价排名") && zh.contains("渝中区"), "{zh}");

    // Kept: a figure entered afterwards shows only once it is generated again.
    let entries = "unit,period,indicator,value\ncq/yz,2026-05,integration,90\n";
    let (status, _) = post_file(
        addr,
        &root,
        "/api/v1/scorecards/entries?file=e.csv",
        entries.as_bytes(),
    )
    .await;
    assert_eq!(status, 200);
    let (_, kept) = page(addr, &root, "/api/v1/bulletins/2026-05?unit=cq&lang=en").await;
    assert_eq!(kept, en);
    let (_, again) = page(
        addr,
        &root,
        "/api/v1/bulletins/2026-05?unit=cq&lang=en&regenerate=true",
    )
    .await;
    assert!(again.contains("<td>18.0</td>"), "{again}");

    // The workbook.
    let (status, xlsx) = http_raw(
        addr,
        "GET",
        "/api/v1/bulletins/2026-05?unit=cq&lang=en&format=xlsx",
        Some(&root),
        &[],
        &[],
    )
    .await;
    assert_eq!(status, 200);
    assert!(xlsx.starts_with(b"PK"), "an XLSX (zip) file");

    // The PDF, read back by poppler's pdftotext: the same words, Chinese
    // included, and a footer on each page.
    for (lang, words) in [
        (
            "en",
            [
                "Monthly service bulletin",
                "Yuzhong",
                "Weakest standards",
                "page 1 of",
            ],
        ),
        (
            "zh-CN",
            ["服务质量月度通报", "渝中区", "服务评价排名", "第 1 /"],
        ),
    ] {
        let (status, pdf) = http_raw(
            addr,
            "GET",
            &format!("/api/v1/bulletins/2026-05?unit=cq&lang={lang}&format=pdf"),
            Some(&root),
            &[],
            &[],
        )
        .await;
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&pdf));
        assert!(pdf.starts_with(b"%PDF-"), "a PDF");
        let text = pdf_text(&pdf);
        for w in words {
            assert!(text.contains(w), "{w} in {text}");
        }
    }

    // A manager's own district: fine; the other district, or a store, or a
    // year, or an inspector: refused.
    assert_eq!(page(addr, &wang, "/api/v1/bulletins/2026-05").await.0, 200);
    assert_eq!(
        get_json(addr, &wang, "/api/v1/bulletins/2026-05?unit=cq/jb")
            .await
            .0,
        403
    );
    assert_eq!(
        get_json(addr, &root, "/api/v1/bulletins/2026-05?unit=cq/yz/001")
            .await
            .0,
        400
    );
    assert_eq!(get_json(addr, &root, "/api/v1/bulletins/2026").await.0, 400);
    assert_eq!(
        get_json(addr, &li, "/api/v1/bulletins/2026-05").await.0,
        403
    );
}

/// The text of a PDF, as poppler reads it.
fn pdf_text(pdf: &[u8]) -> String {
    use std::io::Write as _;
    let mut child = std::process::Command::new("pdftotext")
        .args(["-layout", "-", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("pdftotext (poppler-utils; cargo xtask test installs it)");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(pdf)
        .expect("write the PDF");
    let out = child.wait_with_output().expect("pdftotext");
    assert!(
        out.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
