//! Passwords (argon2) and bearer tokens. A token is 32 random bytes shown to
//! the client once; only its BLAKE3 hash is stored, so a database leak does
//! not leak live tokens.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

use crate::store::UserRow;

/// A new sign-in: the token for the client (shown once) and who it is for.
#[derive(Debug)]
pub struct Session {
    pub token: String,
    pub expires_at: i64,
    pub user: UserRow,
}

#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error(transparent)]
    Storage(#[from] crate::store::StorageError),
    #[error("no random numbers for a token: {0}")]
    Random(#[from] getrandom::Error),
}

crate::internal_from!(LoginError);

/// Checks a user name and password and, when they match, issues a token
/// valid for `ttl`. `None` for a wrong name or password alike: both cost an
/// argon2 verification, so timing does not tell them apart.
pub async fn login(
    storage: &crate::store::Storage,
    username: &str,
    password: &str,
    ttl: std::time::Duration,
    now_ms: i64,
) -> Result<Option<Session>, LoginError> {
    let user = storage.user(username).await?;
    let hash = user
        .as_ref()
        .map_or(dummy_hash(), |u| u.password_hash.as_str())
        .to_string();
    let password = password.to_string();
    // argon2 is deliberately slow: keep it off the async workers.
    let ok = tokio::task::spawn_blocking(move || verify_password(&hash, &password))
        .await
        .unwrap_or(false);
    let Some(user) = user.filter(|_| ok) else {
        return Ok(None);
    };
    let (token, token_hash) = new_token()?;
    let expires_at = now_ms + ttl.as_millis() as i64;
    storage
        .insert_token(&token_hash, &user.user_id, now_ms, expires_at)
        .await?;
    Ok(Some(Session {
        token,
        expires_at,
        user,
    }))
}

pub fn hash_password(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A hash that never matches, checked when the user does not exist so that
/// a wrong user name costs as much time as a wrong password.
pub fn dummy_hash() -> &'static str {
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2Cv2vgcvi3Ia7k9fRNFqd2d4l7Nn1x6ljWx9L5ZXTxw"
}

/// A new token: (the secret for the client, the hash to store).
pub fn new_token() -> Result<(String, String), getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let hash = token_hash(&token);
    Ok((token, hash))
}

pub fn token_hash(token: &str) -> String {
    blake3::hash(token.as_bytes()).to_hex().to_string()
}

/// A readable random password for `user add` without `--password`.
pub fn generate_password() -> Result<String, getrandom::Error> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)?;
    Ok(bytes
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_and_tokens_hash() {
        let h = hash_password("s3cret").expect("hash");
        assert!(verify_password(&h, "s3cret"));
        assert!(!verify_password(&h, "guess"));
        assert!(!verify_password(dummy_hash(), "anything"));
        assert!(!verify_password("not a hash", "x"));
        let (t, th) = new_token().expect("token");
        assert_eq!(t.len(), 64);
        assert_eq!(token_hash(&t), th);
        assert_ne!(t, th);
        assert_eq!(generate_password().expect("pw").len(), 16);
    }
}
