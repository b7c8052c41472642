//! Event timestamps as cities write them: ISO 8601 text (`2025-03-14`, `2025-03-14T09:21:05`,
//! `2025-03-14 09:21`, with an optional `Z` or `±HH:MM` offset and fraction of a second), or
//! an integer column of Unix seconds.
//!
//! A [`Stamp`] keeps the wall-clock time *as written* (what the complaint desk saw) and the
//! offset, when written. Windows and calendar months are taken on the wall clock, so
//! "March" means March in the city's own time; durations (time to resolution) use the
//! instants, offset applied, when both stamps carry one.

use crate::error::{Error, Result};
use crate::layer::{Column, Layer};

/// Milliseconds in a day.
pub const DAY_MS: i64 = 86_400_000;

/// One moment: wall-clock milliseconds since 1970-01-01T00:00 (no offset applied) and the
/// UTC offset in milliseconds, when the text had one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Stamp {
    /// Wall-clock milliseconds since the epoch, as written.
    pub local: i64,
    /// UTC offset (ms), if written.
    pub offset: Option<i64>,
}

impl Stamp {
    /// Milliseconds from `self` to `later`: instants when both carry an offset, else wall clock.
    pub fn millis_until(&self, later: &Stamp) -> i64 {
        match (self.offset, later.offset) {
            (Some(a), Some(b)) => (later.local - b) - (self.local - a),
            _ => later.local - self.local,
        }
    }

    /// The calendar month (year, 1–12) of the wall-clock time.
    pub fn month(&self) -> (i64, u32) {
        let (y, m, _) = civil_from_days(self.local.div_euclid(DAY_MS));
        (y, m)
    }
}

/// A parsed bound of a time window: the stamp, and whether the text was a date only (so
/// that `to: "2025-03-31"` means through the end of that day).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Parsed {
    /// The moment (midnight for a date).
    pub stamp: Stamp,
    /// The text had no time of day.
    pub date_only: bool,
}

/// Parses ISO 8601 text, or says what is wrong with it.
pub fn parse(text: &str) -> std::result::Result<Parsed, String> {
    let t = text.trim();
    let b = t.as_bytes();
    let digits = |s: &str| -> std::result::Result<i64, String> {
        if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
            return Err(format!("'{text}' is not an ISO 8601 date or date-time"));
        }
        s.parse::<i64>().map_err(|e| e.to_string())
    };
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return Err(format!(
            "'{text}' is not an ISO 8601 date or date-time (expected YYYY-MM-DD[THH:MM[:SS]][Z|±HH:MM])"
        ));
    }
    let (y, m, d) = (digits(&t[0..4])?, digits(&t[5..7])?, digits(&t[8..10])?);
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m as u32) {
        return Err(format!("'{text}' is not a calendar date"));
    }
    let day = days_from_civil(y, m as u32, d as u32);
    if b.len() == 10 {
        return Ok(Parsed {
            stamp: Stamp {
                local: day * DAY_MS,
                offset: None,
            },
            date_only: true,
        });
    }
    if !matches!(b[10], b'T' | b't' | b' ') {
        return Err(format!(
            "'{text}': expected 'T' or a space between date and time"
        ));
    }
    let rest = &t[11..];
    // Split off the offset: 'Z', or the last '+' / '-'.
    let (clock, offset) = if let Some(c) = rest.strip_suffix(['Z', 'z']) {
        (c, Some(0))
    } else if let Some(pos) = rest.rfind(['+', '-']) {
        let (c, o) = rest.split_at(pos);
        let sign = if o.starts_with('-') { -1 } else { 1 };
        let o = &o[1..];
        let (oh, om) = match o.len() {
            2 => (digits(o)?, 0),
            4 => (digits(&o[0..2])?, digits(&o[2..4])?),
            5 if o.as_bytes()[2] == b':' => (digits(&o[0..2])?, digits(&o[3..5])?),
            _ => return Err(format!("'{text}': bad UTC offset '{o}'")),
        };
        if oh > 18 || om > 59 {
            return Err(format!("'{text}': bad UTC offset"));
        }
        (c, Some(sign * (oh * 3_600_000 + om * 60_000)))
    } else {
        (rest, None)
    };
    let mut parts = clock.splitn(3, ':');
    let h = digits(parts.next().unwrap_or_default())?;
    let mi = digits(parts.next().unwrap_or_default())?;
    let (s, ms) = match parts.next() {
        None => (0, 0),
        Some(sec) => {
            let (whole, frac) = sec.split_once(['.', ',']).unwrap_or((sec, ""));
            let ms = if frac.is_empty() {
                0
            } else {
                let f3: String = frac.chars().chain("000".chars()).take(3).collect();
                digits(frac)?; // every fraction digit must be a digit
                digits(&f3)?
            };
            (digits(whole)?, ms)
        }
    };
    if h > 24 || mi > 59 || s > 60 || (h == 24 && (mi, s, ms) != (0, 0, 0)) {
        return Err(format!("'{text}' is not a time of day"));
    }
    Ok(Parsed {
        stamp: Stamp {
            local: day * DAY_MS + h * 3_600_000 + mi * 60_000 + s * 1000 + ms,
            offset,
        },
        date_only: false,
    })
}

/// The stamps of a layer's time field (null cells stay `None`), or an error naming the layer,
/// the field and the first feature whose value cannot be read.
pub fn column_stamps(layer: &Layer, field: &str) -> Result<Vec<Option<Stamp>>> {
    let col: &Column = layer.column(field)?;
    (0..layer.len())
        .map(|i| match col.get(i) {
            crate::layer::Value::Null => Ok(None),
            crate::layer::Value::Text(s) if s.trim().is_empty() => Ok(None),
            crate::layer::Value::Text(s) => {
                parse(&s)
                    .map(|p| Some(p.stamp))
                    .map_err(|m| Error::FieldType {
                        layer: layer.name.clone(),
                        field: field.to_string(),
                        message: format!("feature {}: {m}", layer.ids[i]),
                    })
            }
            // Integer time fields are Unix seconds (UTC).
            crate::layer::Value::Int(sec) => Ok(Some(Stamp {
                local: sec * 1000,
                offset: Some(0),
            })),
            other => Err(Error::FieldType {
                layer: layer.name.clone(),
                field: field.to_string(),
                message: format!(
                    "feature {}: expected an ISO 8601 timestamp or Unix seconds, found {other:?}",
                    layer.ids[i]
                ),
            }),
        })
        .collect()
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// Days in month `m` (1–12) of year `y`.
pub fn days_in_month(y: i64, m: u32) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a civil date (proleptic Gregorian; Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Civil date of a day count since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// The month `n` months before (year, month).
pub fn months_before((y, m): (i64, u32), n: u32) -> (i64, u32) {
    let idx = y * 12 + i64::from(m) - 1 - i64::from(n);
    (idx.div_euclid(12), (idx.rem_euclid(12) + 1) as u32)
}

/// `YYYY-MM` of a month.
pub fn month_label((y, m): (i64, u32)) -> String {
    format!("{y:04}-{m:02}")
}

/// Parses `YYYY-MM`.
pub fn parse_month(text: &str) -> Option<(i64, u32)> {
    let (y, m) = text.trim().split_once('-')?;
    if y.len() != 4 || m.len() != 2 {
        return None;
    }
    let (y, m) = (y.parse::<i64>().ok()?, m.parse::<u32>().ok()?);
    (1..=12).contains(&m).then_some((y, m))
}

/// ISO text of a wall-clock stamp (with its offset when it has one).
pub fn format(s: &Stamp) -> String {
    let (days, ms) = (s.local.div_euclid(DAY_MS), s.local.rem_euclid(DAY_MS));
    let (y, m, d) = civil_from_days(days);
    let secs = ms / 1000;
    let base = format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    );
    match s.offset {
        None => base,
        Some(0) => format!("{base}Z"),
        Some(o) => {
            let sign = if o < 0 { '-' } else { '+' };
            let a = o.abs() / 60_000;
            format!("{base}{sign}{:02}:{:02}", a / 60, a % 60)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_demo_format_and_variants() {
        let p = parse("2025-03-14T09:21:05+08:00").expect("parse");
        assert!(!p.date_only);
        assert_eq!(
            p.stamp.local,
            days_from_civil(2025, 3, 14) * DAY_MS + (9 * 3600 + 21 * 60 + 5) * 1000
        );
        assert_eq!(p.stamp.offset, Some(8 * 3_600_000));
        assert_eq!(format(&p.stamp), "2025-03-14T09:21:05+08:00");
        assert_eq!(p.stamp.month(), (2025, 3));
        let d = parse("2025-02-28").expect("date");
        assert!(d.date_only);
        assert_eq!(d.stamp.local, days_from_civil(2025, 2, 28) * DAY_MS);
        let z = parse("2025-02-28 23:59:59.5Z").expect("space, fraction, Z");
        assert_eq!(z.stamp.local, d.stamp.local + DAY_MS - 500);
        assert_eq!(z.stamp.offset, Some(0));
        assert_eq!(
            parse("2025-02-28T10:00-0130")
                .expect("basic offset")
                .stamp
                .offset,
            Some(-(90 * 60_000))
        );
        for bad in [
            "2025-02-29",
            "2025-13-01",
            "yesterday",
            "2025-01-01T25:00",
            "2025-01-01T10:00+8",
            "2025/01/01",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn durations_use_instants_when_both_have_offsets() {
        let a = parse("2025-01-01T08:00:00+08:00").expect("a").stamp;
        let b = parse("2025-01-01T00:00:00Z").expect("b").stamp;
        assert_eq!(a.millis_until(&b), 0, "the same instant");
        let c = parse("2025-01-02T08:00:00").expect("c").stamp;
        assert_eq!(a.millis_until(&c), DAY_MS, "wall clock without offset");
    }

    #[test]
    fn calendar_helpers() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        for z in [-1, 0, 20_454, 11_016] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        assert_eq!(months_before((2025, 2), 3), (2024, 11));
        assert_eq!(months_before((2025, 12), 0), (2025, 12));
        assert_eq!(month_label((2025, 3)), "2025-03");
        assert_eq!(parse_month("2025-03"), Some((2025, 3)));
        assert_eq!(parse_month("2025-3"), None);
        assert_eq!(days_in_month(2024, 2), 29);
    }
}
