//! Notifications by e-mail. With `[mail]` in the configuration, the server
//! looks every `every_s` seconds at each active user with an address. It
//! sends them the notifications (`services::notifications`) they have
//! neither read nor been sent, in one message in Chinese and English.
//!
//! A notification is claimed (written to `notification_mails`) before it is
//! sent, so that replicas sharing a database do not both send it. It is
//! given back if the message cannot be sent, and tried again next round.

use std::collections::HashMap;
use std::time::Duration;

use anyhow::Context;
use fieldcheck_core::reference::{DEFAULT_TIME_ZONE, UnitRecord};
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, Mailbox, Message};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use crate::access::Principal;
use crate::config::{MailConfig, MailSecurity};
use crate::services::notifications::{self, Notification};
use crate::state::{AppState, now_ms};
use crate::store::UserRow;

/// The SMTP connection and sender of the configuration, checked at start.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    every: Duration,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
    }
}

impl Mailer {
    /// Refuses a configuration it could not send with, in words.
    pub fn new(cfg: &MailConfig) -> anyhow::Result<Mailer> {
        let (host, port) = cfg
            .smtp
            .rsplit_once(':')
            .and_then(|(h, p)| Some((h, p.parse::<u16>().ok()?)))
            .with_context(|| format!("[mail] smtp `{}` is not host:port", cfg.smtp))?;
        let builder = match cfg.security {
            MailSecurity::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)?,
            MailSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host)?,
            MailSecurity::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
        }
        .port(port)
        .timeout(Some(Duration::from_secs(30)));
        let builder = match (&cfg.username, &cfg.password) {
            (Some(user), Some(password)) => builder.credentials(Credentials::new(
                user.clone(),
                password.expose().to_string(),
            )),
            (None, None) => builder,
            _ => anyhow::bail!("[mail] needs both a username and a password, or neither"),
        };
        Ok(Mailer {
            transport: builder.build(),
            from: cfg
                .from
                .parse()
                .with_context(|| format!("[mail] from `{}` is not an e-mail address", cfg.from))?,
            every: Duration::from_secs(cfg.every_s.max(1)),
        })
    }

    /// Sends, every round, what each user has not yet been sent; a round
    /// that fails is logged and the next one tries again.
    pub async fn run(self, app: AppState) {
        let mut tick = tokio::time::interval(self.every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = self.round(&app).await {
                tracing::warn!(error = %e, "e-mailing notifications failed; will retry");
            }
        }
    }

    async fn round(&self, app: &AppState) -> anyhow::Result<()> {
        let users = app.storage.mail_recipients().await?;
        if users.is_empty() {
            return Ok(());
        }
        let units: HashMap<String, UnitRecord> = crate::store::units::load(&app.storage)
            .await?
            .into_iter()
            .map(|u| (u.unit.id.clone(), u))
            .collect();
        for user in &users {
            if let Err(e) = self.send_to(app, user, &units).await {
                tracing::warn!(user = %user.user_id, error = %e, "cannot e-mail notifications");
            }
        }
        Ok(())
    }

    async fn send_to(
        &self,
        app: &AppState,
        user: &UserRow,
        units: &HashMap<String, UnitRecord>,
    ) -> anyhow::Result<()> {
        let Some(who) = Principal::from_row(user) else {
            return Ok(());
        };
        let zone = units
            .get(who.scope.as_str())
            .map_or(DEFAULT_TIME_ZONE, |u| u.unit.time_zone.as_str());
        let today = jiff::Timestamp::now()
            .in_tz(zone)
            .or_else(|_| jiff::Timestamp::now().in_tz(DEFAULT_TIME_ZONE))?
            .date();
        let unread: Vec<Notification> = notifications::list(app, &who, today)
            .await?
            .notifications
            .into_iter()
            .filter(|n| !n.read)
            .collect();
        if unread.is_empty() {
            return Ok(());
        }
        // The waiting-for-review count changes with every submission: one
        // e-mail a day about it is enough.
        let key = |n: &Notification| match n.kind.as_str() {
            "review_waiting" => format!("review:{today}"),
            _ => n.id.clone(),
        };
        let keys: Vec<String> = unread.iter().map(key).collect();
        let claimed = app
            .storage
            .claim_mails(&user.user_id, &keys, now_ms())
            .await?;
        if claimed.is_empty() {
            return Ok(());
        }
        let fresh: Vec<&Notification> = unread
            .iter()
            .filter(|n| claimed.contains(&key(n)))
            .collect();
        let sent = self.send(app, user, &fresh, units).await;
        if sent.is_err() {
            app.storage.release_mails(&user.user_id, &claimed).await?;
        }
        sent
    }

    async fn send(
        &self,
        app: &AppState,
        user: &UserRow,
        fresh: &[&Notification],
        units: &HashMap<String, UnitRecord>,
    ) -> anyhow::Result<()> {
        let to = Mailbox::new(
            Some(user.name.clone()).filter(|n| !n.is_empty()),
            user.email
                .parse()
                .with_context(|| format!("`{}` is not an e-mail address", user.email))?,
        );
        let console = app.config.public_url.as_deref();
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject(fresh.len()))
            .header(ContentType::TEXT_PLAIN)
            .body(
                Body::new_with_encoding(
                    body(&user.name, fresh, units, console),
                    ContentTransferEncoding::Base64,
                )
                .map_err(|_| anyhow::anyhow!("cannot encode the message"))?,
            )?;
        self.transport.send(message).await?;
        Ok(())
    }
}

fn subject(n: usize) -> String {
    format!("Fieldcheck：{n} 条新通知 / {n} new notification(s)")
}

/// One line per notification, first in Chinese, then in English, with a
/// link to the record where the console's address is known.
fn body(
    name: &str,
    fresh: &[&Notification],
    units: &HashMap<String, UnitRecord>,
    console: Option<&str>,
) -> String {
    let mut zh = format!("{name}，您好：\n\n");
    let mut en = format!("Hello {name},\n\n");
    for n in fresh {
        let (what_zh, what_en) = words(n);
        let store = n.store_id.as_deref().map(|s| match units.get(s) {
            Some(u) => (
                u.name_zh.clone(),
                if u.name_en.is_empty() {
                    u.name_zh.clone()
                } else {
                    u.name_en.clone()
                },
            ),
            None => (s.to_string(), s.to_string()),
        });
        let link = match (console, &n.doc_id) {
            (Some(c), Some(doc)) => format!("\n  {c}/records/{doc}"),
            _ => String::new(),
        };
        let text = n
            .text
            .as_deref()
            .map(|t| format!(": {t}"))
            .unwrap_or_default();
        let (at_zh, at_en) = store
            .map(|(zh, en)| (format!("（{zh}）"), format!(" ({en})")))
            .unwrap_or_default();
        zh.push_str(&format!("- {what_zh}{at_zh}{text}{link}\n"));
        en.push_str(&format!("- {what_en}{at_en}{text}{link}\n"));
    }
    let (read_zh, read_en) = match console {
        Some(c) => (
            format!("\n在控制台查看全部通知：{c}/notifications\n"),
            format!("\nAll your notifications are in the console: {c}/notifications\n"),
        ),
        None => (String::new(), String::new()),
    };
    format!("{zh}{read_zh}\n——\n\n{en}{read_en}")
}

/// What happened, in Chinese and in English.
fn words(n: &Notification) -> (String, String) {
    let count = n.count.unwrap_or_default();
    match n.kind.as_str() {
        "returned" => (
            "记录被退回修改".into(),
            "A record was returned to you for changes".into(),
        ),
        "action_new" => ("新的整改任务".into(), "A new corrective action".into()),
        "action_overdue" => ("整改已逾期".into(), "A corrective action is overdue".into()),
        "action_done" => (
            "整改已完成，待验证".into(),
            "A corrective action was done and waits to be verified".into(),
        ),
        "assignment_due" => ("今日截止的检查任务".into(), "Work due today".into()),
        "review_waiting" => (
            format!("{count} 份检查待审核"),
            format!("{count} audit(s) waiting for review"),
        ),
        other => (other.to_string(), other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(
        kind: &str,
        doc: Option<&str>,
        store: Option<&str>,
        text: Option<&str>,
    ) -> Notification {
        Notification {
            id: format!("{kind}:1"),
            kind: kind.into(),
            at: 0,
            doc_id: doc.map(Into::into),
            store_id: store.map(Into::into),
            text: text.map(Into::into),
            count: Some(3),
            read: false,
        }
    }

    #[test]
    fn a_message_says_each_notification_in_both_languages_with_its_link() {
        let a = note(
            "action_new",
            Some("doc-1"),
            Some("cq/yz/001"),
            Some("Fix the sign"),
        );
        let r = note("review_waiting", None, None, None);
        let units = HashMap::new();
        let text = body("王经理", &[&a, &r], &units, Some("https://fc.example.com"));
        assert!(text.starts_with("王经理，您好："), "{text}");
        assert!(
            text.contains(
                "- 新的整改任务（cq/yz/001）: Fix the sign\n  https://fc.example.com/records/doc-1"
            ),
            "{text}"
        );
        assert!(
            text.contains("- A new corrective action (cq/yz/001): Fix the sign"),
            "{text}"
        );
        assert!(
            text.contains("3 份检查待审核") && text.contains("3 audit(s) waiting for review"),
            "{text}"
        );
        assert!(
            text.contains("https://fc.example.com/notifications"),
            "{text}"
        );
        let plain = body("li", &[&a], &units, None);
        assert!(
            !plain.contains("http"),
            "no links without the console's address: {plain}"
        );
    }

    #[test]
    fn a_configuration_it_cannot_send_with_is_refused_in_words() {
        let cfg = |smtp: &str, from: &str| MailConfig {
            smtp: smtp.into(),
            from: from.into(),
            security: MailSecurity::None,
            username: None,
            password: None,
            every_s: 60,
        };
        assert!(Mailer::new(&cfg("127.0.0.1:2525", "Fieldcheck <fc@example.com>")).is_ok());
        let e = Mailer::new(&cfg("mail.example.com", "fc@example.com")).expect_err("no port");
        assert!(e.to_string().contains("host:port"), "{e}");
        let e = Mailer::new(&cfg("127.0.0.1:25", "not an address")).expect_err("bad from");
        assert!(e.to_string().contains("not an e-mail address"), "{e}");
    }
}
