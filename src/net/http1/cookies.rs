//! The cookie jar of one CWMP session (TR-069 §3.4.1: the ACS may tie a session's requests
//! together with cookies; RFC 6265 §5 as a user agent). The jar lives for one session only,
//! so persistence, third-party and public-suffix rules do not arise; what stays is what an
//! ACS relies on: Domain and Path scoping, Secure, and expiry by Max-Age or Expires (an ACS
//! deletes a cookie by expiring it).
//!
//! Own code rather than a crate: the `cookie` crate parses only and needs `time` (28 kB on
//! mipsel), `cookie_store` needs `url` with IDNA as well (75 kB in all); this is about 3 kB.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::url::HttpUrl;

/// Cookies kept per session; more evicts the oldest (RFC 6265 §6.1 asks for at least 50).
pub const MAX_COOKIES: usize = 50;
/// A Set-Cookie value longer than this is ignored (RFC 6265 §6.1: at least 4096 bytes).
pub const MAX_SET_COOKIE: usize = 8192;

#[derive(Debug, Clone, PartialEq, Eq)]
struct Cookie {
    name: String,
    value: String,
    /// Lowercase; the request host must equal it (`host_only`) or end in `.domain`.
    domain: String,
    host_only: bool,
    path: String,
    secure: bool,
    expires: Option<Instant>,
    /// Creation order, kept when a cookie is replaced (RFC 6265 §5.3 step 11.3).
    created: u64,
}

/// The cookies of one session.
#[derive(Debug, Default)]
pub struct CookieJar {
    cookies: Vec<Cookie>,
    next_serial: u64,
}

impl CookieJar {
    pub fn new() -> CookieJar {
        CookieJar::default()
    }

    /// Stores (or deletes) the cookie of one Set-Cookie header received from `url`.
    pub fn store(&mut self, url: &HttpUrl, set_cookie: &str) {
        self.store_at(url, set_cookie, Instant::now(), SystemTime::now());
    }

    fn store_at(&mut self, url: &HttpUrl, set_cookie: &str, now: Instant, wall: SystemTime) {
        if set_cookie.len() > MAX_SET_COOKIE {
            return;
        }
        let Some(parsed) = parse_set_cookie(set_cookie) else {
            return;
        };
        let host = url.host();
        let (domain, host_only) = match parsed.domain {
            Some(domain) if domain_matches(host, &domain) => (domain, false),
            Some(_) => return,
            None => (host.to_string(), true),
        };
        let path = parsed.path.unwrap_or_else(|| default_path(url.path()));
        let seconds = match parsed.lifetime {
            Lifetime::Session => None,
            Lifetime::MaxAge(seconds) => Some(seconds),
            Lifetime::Expires(unix) => Some(unix.saturating_sub(unix_seconds(wall))),
        };
        let existing = self
            .cookies
            .iter()
            .position(|c| c.name == parsed.name && c.domain == domain && c.path == path);
        let created = match existing {
            Some(index) => self.cookies.remove(index).created,
            None => {
                self.next_serial += 1;
                self.next_serial
            }
        };
        let expires = match seconds {
            None => None,
            // Expired on arrival: the server deletes the cookie (RFC 6265 §3.1).
            Some(seconds) if seconds <= 0 => return,
            // Beyond what an Instant can hold: never, for a session.
            Some(seconds) => now.checked_add(Duration::from_secs(seconds.unsigned_abs())),
        };
        if self.cookies.len() >= MAX_COOKIES {
            self.cookies.remove(0);
        }
        self.cookies.push(Cookie {
            name: parsed.name,
            value: parsed.value,
            domain,
            host_only,
            path,
            secure: parsed.secure,
            expires,
            created,
        });
    }

    /// The Cookie header for a request to `url` (RFC 6265 §5.4), if any cookie applies.
    pub fn header(&self, url: &HttpUrl) -> Option<String> {
        self.header_at(url, Instant::now())
    }

    fn header_at(&self, url: &HttpUrl, now: Instant) -> Option<String> {
        let host = url.host();
        let mut matching: Vec<&Cookie> = self
            .cookies
            .iter()
            .filter(|c| {
                let domain_ok = if c.host_only {
                    c.domain == host
                } else {
                    domain_matches(host, &c.domain)
                };
                domain_ok
                    && path_matches(url.path(), &c.path)
                    && (!c.secure || url.is_https())
                    && c.expires.is_none_or(|at| at > now)
            })
            .collect();
        if matching.is_empty() {
            return None;
        }
        // Longer paths first, then older cookies first.
        matching.sort_by(|a, b| {
            b.path
                .len()
                .cmp(&a.path.len())
                .then(a.created.cmp(&b.created))
        });
        let pairs: Vec<String> = matching
            .iter()
            .map(|c| format!("{}={}", c.name, c.value))
            .collect();
        Some(pairs.join("; "))
    }
}

enum Lifetime {
    Session,
    /// Seconds from now; zero or less deletes.
    MaxAge(i64),
    /// Seconds since the Unix epoch.
    Expires(i64),
}

struct SetCookie {
    name: String,
    value: String,
    domain: Option<String>,
    path: Option<String>,
    secure: bool,
    lifetime: Lifetime,
}

/// RFC 6265 §5.2: the name-value pair, then attributes; unknown ones are ignored.
fn parse_set_cookie(text: &str) -> Option<SetCookie> {
    let mut parts = text.split(';');
    let (name, value) = parts.next()?.split_once('=')?;
    let name = name.trim();
    let value = value.trim();
    if name.is_empty() || !is_cookie_text(name) || !is_cookie_text(value) {
        return None;
    }
    let mut cookie = SetCookie {
        name: name.to_string(),
        value: value.to_string(),
        domain: None,
        path: None,
        secure: false,
        lifetime: Lifetime::Session,
    };
    let mut max_age = None;
    let mut expires = None;
    for attribute in parts {
        let (key, value) = match attribute.split_once('=') {
            Some((key, value)) => (key.trim(), value.trim()),
            None => (attribute.trim(), ""),
        };
        match key.to_ascii_lowercase().as_str() {
            "max-age" => max_age = parse_max_age(value).or(max_age),
            "expires" => expires = parse_cookie_date(value).or(expires),
            "domain" => {
                let domain = value.strip_prefix('.').unwrap_or(value);
                cookie.domain = (!domain.is_empty()).then(|| domain.to_ascii_lowercase());
            }
            "path" => cookie.path = value.starts_with('/').then(|| value.to_string()),
            "secure" => cookie.secure = true,
            _ => {}
        }
    }
    // Max-Age wins over Expires (§5.3 step 3).
    cookie.lifetime = match (max_age, expires) {
        (Some(seconds), _) => Lifetime::MaxAge(seconds),
        (None, Some(unix)) => Lifetime::Expires(unix),
        (None, None) => Lifetime::Session,
    };
    Some(cookie)
}

/// No controls (a value goes back out in a header we write) and no `;` or `,` spoofing.
fn is_cookie_text(text: &str) -> bool {
    text.bytes()
        .all(|b| b == b'\t' || (0x20..0x7f).contains(&b))
}

fn parse_max_age(value: &str) -> Option<i64> {
    let digits = value.strip_prefix('-').unwrap_or(value);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Huge values mean "forever"; a negative one deletes.
    let seconds = digits.parse::<i64>().unwrap_or(i64::MAX / 2);
    Some(if value.starts_with('-') { -1 } else { seconds })
}

/// RFC 6265 §5.1.3: the host equals the domain, or is a name that ends in `.domain`.
fn domain_matches(host: &str, domain: &str) -> bool {
    if host == domain {
        return true;
    }
    let is_ip = host.parse::<std::net::IpAddr>().is_ok();
    !is_ip
        && host.len() > domain.len()
        && host.ends_with(domain)
        && host.as_bytes()[host.len() - domain.len() - 1] == b'.'
}

/// RFC 6265 §5.1.4.
fn default_path(request_path: &str) -> String {
    match request_path.rfind('/') {
        Some(0) | None => "/".to_string(),
        Some(index) => request_path[..index].to_string(),
    }
}

/// RFC 6265 §5.1.4: the cookie path is the request path, or a prefix of it at a `/`.
fn path_matches(request_path: &str, cookie_path: &str) -> bool {
    match request_path.strip_prefix(cookie_path) {
        Some(rest) => rest.is_empty() || cookie_path.ends_with('/') || rest.starts_with('/'),
        None => false,
    }
}

fn unix_seconds(wall: SystemTime) -> i64 {
    match wall.duration_since(UNIX_EPOCH) {
        Ok(since) => i64::try_from(since.as_secs()).unwrap_or(i64::MAX),
        Err(before) => -i64::try_from(before.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

/// RFC 6265 §5.1.1's lenient date parser (IMF-fixdate, RFC 850, asctime and what servers
/// write in between): seconds since the Unix epoch.
fn parse_cookie_date(text: &str) -> Option<i64> {
    let is_delimiter = |c: char| matches!(c, '\t' | ' '..='/' | ';'..='@' | '['..='`' | '{'..='~');
    let (mut time, mut day, mut month, mut year) = (None, None, None, None);
    for token in text.split(is_delimiter).filter(|t| !t.is_empty()) {
        if time.is_none() {
            if let Some(parsed) = parse_time(token) {
                time = Some(parsed);
                continue;
            }
        }
        let digits = leading_digits(token);
        if day.is_none() && (1..=2).contains(&digits.len()) {
            day = digits.parse::<u32>().ok();
            continue;
        }
        if month.is_none() && token.len() >= 3 {
            let prefix = token.get(..3).unwrap_or("");
            if let Some(index) = MONTHS.iter().position(|m| prefix.eq_ignore_ascii_case(m)) {
                month = Some(index as u32 + 1);
                continue;
            }
        }
        if year.is_none() && (2..=4).contains(&digits.len()) {
            year = digits.parse::<i64>().ok();
        }
    }
    let (hour, minute, second) = time?;
    let year = match year? {
        y @ 70..=99 => y + 1900,
        y @ 0..=69 => y + 2000,
        y => y,
    };
    let (day, month) = (day?, month?);
    if !(1..=31).contains(&day) || year < 1601 || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(days * 86_400 + i64::from(hour * 3600 + minute * 60 + second))
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

fn leading_digits(token: &str) -> &str {
    let end = token
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(token.len());
    &token[..end]
}

/// `hh:mm:ss` with one or two digits each (anything may follow the seconds).
fn parse_time(token: &str) -> Option<(u32, u32, u32)> {
    let mut fields = token.splitn(3, ':');
    let mut next = |whole: bool| {
        let field = fields.next()?;
        let digits = if whole { field } else { leading_digits(field) };
        let ok = (1..=2).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
        ok.then(|| digits.parse().ok()).flatten()
    };
    Some((next(true)?, next(true)?, next(false)?))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> HttpUrl {
        HttpUrl::parse(text).unwrap()
    }

    fn jar(entries: &[(&str, &str)]) -> CookieJar {
        let mut jar = CookieJar::new();
        for (from, set_cookie) in entries {
            jar.store(&url(from), set_cookie);
        }
        jar
    }

    #[test]
    fn a_session_cookie_goes_back_to_its_host() {
        let jar = jar(&[("http://acs:7547/acs", "session=abc123; Path=/; HttpOnly")]);
        assert_eq!(
            jar.header(&url("http://acs:7547/acs")),
            Some("session=abc123".into())
        );
        assert_eq!(
            jar.header(&url("http://acs/other")),
            Some("session=abc123".into())
        );
        assert_eq!(jar.header(&url("http://sub.acs/acs")), None, "host-only");
        assert_eq!(jar.header(&url("http://other/acs")), None);
    }

    #[test]
    fn domain_path_and_secure_scope_cookies() {
        let jar = jar(&[
            (
                "https://a.acs.example/cwmp/x",
                "d=1; Domain=.ACS.example; Secure",
            ),
            ("https://a.acs.example/cwmp/x", "p=2"),
            ("https://a.acs.example/cwmp/x", "root=3; Path=/"),
            ("https://a.acs.example/", "evil=4; Domain=example.org"),
        ]);
        assert_eq!(
            jar.header(&url("https://b.acs.example/cwmp/y")),
            Some("d=1".into()),
            "the domain cookie only"
        );
        assert_eq!(
            jar.header(&url("https://a.acs.example/cwmp")),
            Some("d=1; p=2; root=3".into()),
            "longest path first, then oldest"
        );
        assert_eq!(
            jar.header(&url("http://a.acs.example/cwmpx")),
            Some("root=3".into()),
            "/cwmp does not match /cwmpx; d is Secure"
        );
        assert_eq!(jar.header(&url("https://example.org/")), None);
    }

    #[test]
    fn replacing_and_deleting() {
        let mut jar = jar(&[("http://acs/", "a=1"), ("http://acs/", "b=2")]);
        jar.store(&url("http://acs/"), "a=3");
        assert_eq!(
            jar.header(&url("http://acs/")),
            Some("a=3; b=2".into()),
            "keeps its age"
        );
        jar.store(&url("http://acs/"), "a=; Max-Age=0");
        jar.store(
            &url("http://acs/"),
            "b=x; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
        );
        assert_eq!(jar.header(&url("http://acs/")), None);
    }

    #[test]
    fn expiry_by_max_age_and_expires() {
        let mut jar = CookieJar::new();
        let now = Instant::now();
        let wall = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let acs = url("http://acs/");
        jar.store_at(
            &acs,
            "short=1; Max-Age=10; Expires=Fri, 31 Dec 9999 23:59:59 GMT",
            now,
            wall,
        );
        // 2023-11-14T22:13:20Z + 20 s
        jar.store_at(
            &acs,
            "dated=2; Expires=Tue, 14-Nov-2023 22:13:40 GMT",
            now,
            wall,
        );
        assert_eq!(jar.header_at(&acs, now), Some("short=1; dated=2".into()));
        assert_eq!(
            jar.header_at(&acs, now + Duration::from_secs(15)),
            Some("dated=2".into())
        );
        assert_eq!(jar.header_at(&acs, now + Duration::from_secs(25)), None);
    }

    #[test]
    fn parses_cookie_dates() {
        let expected = Some(784_111_777);
        assert_eq!(parse_cookie_date("Sun, 06 Nov 1994 08:49:37 GMT"), expected);
        assert_eq!(
            parse_cookie_date("Sunday, 06-Nov-94 08:49:37 GMT"),
            expected
        );
        assert_eq!(parse_cookie_date("Sun Nov  6 08:49:37 1994"), expected);
        assert_eq!(parse_cookie_date("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(
            parse_cookie_date("Tue, 29 Feb 2028 12:00:00 GMT"),
            Some(1_835_438_400)
        );
        for bad in [
            "",
            "tomorrow",
            "Sun, 06 Nov 1994",
            "Sun, 06 Nov 1994 25:00:00",
            "06 Nov 1500 01:00:00",
        ] {
            assert_eq!(parse_cookie_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn ignores_what_it_cannot_use() {
        let mut jar = jar(&[
            ("http://acs/", "no-equals-sign"),
            ("http://acs/", "=nameless"),
            ("http://acs/", "bad=a\u{1}b"),
            ("http://10.0.0.1/", "ip=1; Domain=0.0.1"),
        ]);
        jar.store(
            &url("http://acs/"),
            &format!("big={}", "x".repeat(MAX_SET_COOKIE)),
        );
        assert_eq!(jar.header(&url("http://acs/")), None);
        assert_eq!(jar.header(&url("http://10.0.0.1/")), None);
        for index in 0..=MAX_COOKIES {
            jar.store(&url("http://acs/"), &format!("c{index}=v"));
        }
        let header = jar.header(&url("http://acs/")).unwrap();
        assert_eq!(header.split("; ").count(), MAX_COOKIES);
        assert!(!header.starts_with("c0="), "the oldest went");
    }
}
