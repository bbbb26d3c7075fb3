//! Device enrolment. An administrator or manager makes a one-time code for
//! an inspector or surveyor; the console shows it once, as a QR code and
//! as a link that carries the server's address, the code and, for a
//! private deployment, the fingerprint of the operator's CA. The app
//! redeems the code for a token, so nobody types a server address or sets
//! an environment variable. Only the code's hash is stored.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use fieldcheck_core::msg;
use fieldcheck_core::reference::canonical_user_id;
use fieldcheck_core::vocab::Role;
use serde::Serialize;
use utoipa::ToSchema;

use crate::access::Principal;
use crate::error::Error;
use crate::services::auth;
use crate::services::sessions::LoginReply;
use crate::state::{AppState, now_ms};
use crate::store::Audit;
use crate::throttle;

/// How long a code may wait to be used.
pub const CODE_TTL: Duration = Duration::from_secs(15 * 60);

/// Crockford's base 32: no I, L, O or U to misread.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A new enrolment, shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct Enrolment {
    pub user_id: String,
    /// Ten characters in two groups of five (50 random bits).
    pub code: String,
    pub expires_at: i64,
    /// `fieldcheck://enrol?server=…&code=…[&ca=…]`: what the QR code holds.
    pub link: String,
    /// The server address the link carries.
    pub server: String,
    /// The link as a QR code, an SVG image.
    pub qr_svg: String,
}

/// A fresh code: ten characters, shown as `XXXXX-XXXXX`.
fn new_code() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 10];
    getrandom::fill(&mut bytes)?;
    let chars: String = bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(b % 32)]))
        .collect();
    Ok(format!("{}-{}", &chars[..5], &chars[5..]))
}

/// A code as typed: any case, with or without the dash and spaces, and the
/// letters people mistake for digits read as those digits.
pub fn normalise(code: &str) -> String {
    code.chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect()
}

/// The enrolment link: what the QR code holds and the app reads.
fn link(server: &str, code: &str, ca: Option<&str>) -> String {
    let mut link = url::Url::parse("fieldcheck://enrol").unwrap_or_else(|_| unreachable!());
    {
        let mut q = link.query_pairs_mut();
        q.append_pair("server", server).append_pair("code", code);
        if let Some(ca) = ca {
            q.append_pair("ca", ca);
        }
    }
    link.into()
}

/// Whether `who` may enrol devices for `user`: an administrator or a
/// manager whose scope covers the user's.
fn may_enrol(who: &Principal, role: Role, scope: &str) -> Result<(), Error> {
    if !matches!(who.role, Role::Admin | Role::Manager) {
        return Err(Error::Forbidden(msg!(
            "auth.enrol_managers_only",
            "administrators and managers enrol devices"
        )));
    }
    if !who.scope.covers(scope) {
        return Err(Error::Forbidden(crate::access::outside_scope(
            scope, &who.scope,
        )));
    }
    if !matches!(role, Role::Inspector | Role::Surveyor) {
        return Err(Error::BadRequest(msg!(
            "auth.app_roles",
            "the app is for inspectors and surveyors; others use the web console"
        )));
    }
    Ok(())
}

/// A one-time code for the field user `user_id`, with the link and QR code
/// that carry it and `server`, the address devices reach.
pub async fn create(
    app: &AppState,
    who: &Principal,
    user_id: &str,
    server: String,
) -> Result<Enrolment, Error> {
    let user = app
        .storage
        .user(&canonical_user_id(user_id))
        .await?
        .ok_or_else(|| Error::NotFound(crate::services::users::no_active_user(user_id)))?;
    let role = Role::parse(&user.role).unwrap_or(Role::StoreStaff);
    may_enrol(who, role, &user.scope)?;
    let code = new_code()?;
    let now = now_ms();
    let expires_at = now + CODE_TTL.as_millis() as i64;
    let audit = Audit {
        user_id: who.user_id.clone(),
        action: "users.enrol".into(),
        target: user.user_id.clone(),
        detail: serde_json::json!({ "expires_at": expires_at }).to_string(),
    };
    app.storage
        .insert_enrolment(
            &auth::token_hash(&normalise(&code)),
            &user.user_id,
            now,
            expires_at,
            &audit,
        )
        .await?;
    let link = link(&server, &code, app.ca_fingerprint.as_deref());
    let qr_svg = qrcode::QrCode::new(link.as_bytes())
        .map_err(|e| Error::Internal(e.into()))?
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(240, 240)
        .build();
    Ok(Enrolment {
        user_id: user.user_id,
        code,
        expires_at,
        link,
        server,
        qr_svg,
    })
}

/// Redeems a code for a token, once. Failed attempts are throttled per
/// client address like failed sign-ins.
pub async fn redeem(app: &AppState, code: &str, client: IpAddr) -> Result<LoginReply, Error> {
    let keys = [throttle::Key::Address(client)];
    if let Some(wait) = app.throttle.wait(&keys, Instant::now()) {
        return Err(Error::TooManyAttempts(wait));
    }
    let now = now_ms();
    let code_hash = auth::token_hash(&normalise(code));
    let Some(user) = app.storage.redeem_enrolment(&code_hash, now).await? else {
        app.throttle.failed(&keys, Instant::now());
        return Err(Error::InvalidEnrolment);
    };
    let (token, token_hash) = auth::new_token()?;
    let expires_at = now + app.config.token_ttl.as_millis() as i64;
    app.storage
        .insert_token(&token_hash, &user.user_id, now, expires_at)
        .await?;
    Ok(LoginReply {
        token,
        expires_at,
        user: user.user_id,
        role: user.role,
        scope: user.scope,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_back_whatever_the_typing() {
        let code = new_code().expect("random");
        assert_eq!(code.len(), 11);
        assert_eq!(normalise(&code.to_lowercase()), normalise(&code));
        assert_eq!(normalise("abcde-fgh0l"), "ABCDEFGH01");
        assert_eq!(normalise(" O1I2L "), "01121");
        assert_eq!(
            link("https://a.b:8443", "AB3DE-FG7HJ", Some("0a1b")),
            "fieldcheck://enrol?server=https%3A%2F%2Fa.b%3A8443&code=AB3DE-FG7HJ&ca=0a1b"
        );
    }
}
