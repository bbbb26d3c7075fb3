//! Sign-in throttling: after a few failed sign-ins, an account (and, after
//! more, a client address) must wait before the next attempt, twice as long
//! after each further failure, up to a quarter of an hour. A success clears
//! the account's count; other accounts are never slowed by it. Counts live
//! in memory: each replica throttles what reaches it.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failed sign-ins an account may have before it must wait.
pub const ACCOUNT_FREE: u32 = 5;
/// Failed sign-ins one address may have (an office behind one address has
/// many people) before it must wait.
pub const ADDRESS_FREE: u32 = 20;
/// The longest wait.
pub const MAX_WAIT: Duration = Duration::from_secs(15 * 60);
/// A count left alone this long is forgotten.
const FORGET_AFTER: Duration = Duration::from_secs(60 * 60);

#[derive(Debug)]
struct Strikes {
    failures: u32,
    until: Instant,
    last: Instant,
}

/// What is throttled: an account (by its lower-cased name, whether it
/// exists or not) or a client address.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Key {
    Account(String),
    Address(std::net::IpAddr),
}

impl Key {
    fn free(&self) -> u32 {
        match self {
            Key::Account(_) => ACCOUNT_FREE,
            Key::Address(_) => ADDRESS_FREE,
        }
    }
}

#[derive(Debug, Default)]
pub struct Throttle {
    strikes: Mutex<HashMap<Key, Strikes>>,
}

impl Throttle {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Strikes>> {
        self.strikes.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// How long the attempt must wait, if any of `keys` is held back.
    pub fn wait(&self, keys: &[Key], now: Instant) -> Option<Duration> {
        let map = self.lock();
        keys.iter()
            .filter_map(|k| map.get(k))
            .map(|s| s.until.saturating_duration_since(now))
            .filter(|d| !d.is_zero())
            .max()
    }

    /// A failed attempt: each key's count grows, and past its free
    /// failures it must wait 1 s, then 2, 4, ... up to [`MAX_WAIT`].
    pub fn failed(&self, keys: &[Key], now: Instant) {
        let mut map = self.lock();
        if map.len() > 100_000 {
            map.retain(|_, s| now.duration_since(s.last) < FORGET_AFTER);
        }
        for k in keys {
            let s = map.entry(k.clone()).or_insert(Strikes {
                failures: 0,
                until: now,
                last: now,
            });
            if now.duration_since(s.last) >= FORGET_AFTER {
                s.failures = 0;
            }
            s.failures += 1;
            s.last = now;
            if let Some(over) = s.failures.checked_sub(k.free()).filter(|n| *n > 0) {
                let wait = Duration::from_secs(1u64 << (over - 1).min(10)).min(MAX_WAIT);
                s.until = now + wait;
            }
        }
    }

    /// A successful sign-in clears the account's count (not the address's:
    /// one good account must not clear the way for guessing others).
    pub fn succeeded(&self, account: &Key) {
        self.lock().remove(account);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_waits_longer_after_each_failure_past_its_free_ones() {
        let t = Throttle::default();
        let now = Instant::now();
        let li = Key::Account("li".into());
        let wang = Key::Account("wang".into());
        let here = Key::Address("127.0.0.1".parse().expect("ip"));
        let just_li = std::slice::from_ref(&li);
        for _ in 0..ACCOUNT_FREE {
            assert_eq!(t.wait(&[li.clone(), here.clone()], now), None);
            t.failed(&[li.clone(), here.clone()], now);
        }
        assert_eq!(t.wait(just_li, now), None, "five are free");
        t.failed(&[li.clone(), here.clone()], now);
        assert_eq!(t.wait(just_li, now), Some(Duration::from_secs(1)));
        t.failed(&[li.clone(), here.clone()], now);
        assert_eq!(t.wait(just_li, now), Some(Duration::from_secs(2)));
        assert_eq!(
            t.wait(&[wang.clone(), here.clone()], now),
            None,
            "another account from the same address is not slowed"
        );
        assert_eq!(
            t.wait(just_li, now + Duration::from_secs(3)),
            None,
            "the wait ends"
        );
        t.succeeded(&li);
        assert_eq!(t.wait(just_li, now), None);
        for _ in 0..100 {
            t.failed(just_li, now);
        }
        assert_eq!(t.wait(just_li, now), Some(MAX_WAIT));
    }

    #[test]
    fn an_address_guessing_many_accounts_waits_too() {
        let t = Throttle::default();
        let now = Instant::now();
        let here = Key::Address("10.0.0.9".parse().expect("ip"));
        for i in 0..=ADDRESS_FREE {
            t.failed(&[Key::Account(format!("guess{i}")), here.clone()], now);
        }
        assert_eq!(
            t.wait(&[Key::Account("wang".into()), here], now),
            Some(Duration::from_secs(1))
        );
    }
}
