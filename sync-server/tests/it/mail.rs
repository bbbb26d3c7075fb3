//! Notifications by e-mail, sent through a local SMTP server the test
//! starts: each user with an address hears once of what they have not
//! read, in Chinese and English, with a link to the record; a user without
//! one hears nothing, and an address that is none is refused.

use std::time::Duration;

use fieldcheck_tests::{SmtpCatcher, at, audit_at, http, post_json, team_configured, upload};

#[tokio::test]
async fn notifications_are_mailed_once_to_those_with_an_address() {
    let catcher = SmtpCatcher::start().await;
    let config = format!(
        "public_url = \"https://fc.example.com\"\n\
         [mail]\nsmtp = \"{}\"\nfrom = \"Fieldcheck <fc@example.com>\"\nsecurity = \"none\"\nevery_s = 1\n",
        catcher.addr
    );
    let people = [
        ("s1", "store_staff", "cq/yz/001"),
        ("s2", "store_staff", "cq/yz/001"),
    ];
    let team = team_configured(&people, Some(&config)).await;
    let (addr, t) = (&team.server.addr, team.t.clone());
    let (root, wang, li) = (team.root.clone(), team.wang.clone(), team.li.clone());

    // Addresses are given by an administrator; one that is none is refused.
    let (status, body) = http(
        addr,
        "PATCH",
        "/api/v1/users/s1",
        Some(&root),
        Some(r#"{"email":"s1 at example.com"}"#),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("\"key\":\"users.email\""), "{body}");
    for (user, email) in [("s1", "s1@example.com"), ("wang", "wang@example.com")] {
        let (status, body) = http(
            addr,
            "PATCH",
            &format!("/api/v1/users/{user}"),
            Some(&root),
            Some(&format!(r#"{{"email":"{email}"}}"#)),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert!(body.contains(email), "{body}");
    }

    // An audit waits for wang's review; he opens an action for s1 and s2's store.
    let audit = audit_at(&t, "ml-1", "cq/yz/001", at("2026-05-06T02:00:00Z"), &["a2"]);
    let _ws = upload(addr, &li, &wang, "ml-1", audit).await;
    let action = r#"{"item":"a2","description":"Fix the critical standard","assignee":"s1","due":"2099-12-31"}"#;
    let (status, body) = post_json(addr, &wang, "/api/v1/records/ml-1/actions", action).await;
    assert_eq!(status, 200, "{body}");

    let mut mails = catcher.wait_for(2).await;
    // Each notification once: three more rounds send nothing new.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(catcher.messages().len(), mails.len(), "{mails:?}");
    mails.sort_by(|a, b| a.to.cmp(&b.to));
    let to: Vec<&[String]> = mails.iter().map(|m| m.to.as_slice()).collect();
    assert_eq!(
        to,
        [
            ["s1@example.com".to_string()],
            ["wang@example.com".to_string()]
        ],
        "s2 has no address and hears nothing"
    );
    assert!(mails.iter().all(|m| m.from == "fc@example.com"));
    let s1 = mails[0].text();
    assert!(s1.contains("新的整改任务"), "{s1}");
    assert!(s1.contains("A new corrective action"), "{s1}");
    assert!(s1.contains("Fix the critical standard"), "{s1}");
    assert!(s1.contains("https://fc.example.com/records/ml-1"), "{s1}");
    assert!(
        mails[0].data.contains("Subject: =?utf-8?")
            || mails[0].data.contains("Subject: Fieldcheck"),
        "{}",
        mails[0].data
    );
    let wang_text = mails[1].text();
    assert!(wang_text.contains("1 份检查待审核"), "{wang_text}");
    assert!(
        wang_text.contains("1 audit(s) waiting for review"),
        "{wang_text}"
    );
}
