//! What a consumer's scan of a code shows: genuine, not activated, scrapped, invalid; the
//! anti-counterfeit PIN check and its limit.
//!
//! A scan answers without sign-in, so it must reveal nothing about codes that are not genuine:
//! a forged string, an unknown package, a package not yet approved and a malformed input all
//! give the same [`ScanResult::Invalid`].

use crate::domain::validate::{FieldError, Msg};
use crate::i18n::Locale;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Wrong PIN attempts allowed per code in [`PIN_WINDOW_MINUTES`]; then the code's PIN check is
/// locked until the window ends. With 4–8 digits a guesser needs thousands of hours.
pub const PIN_FAILURES_ALLOWED: i16 = 5;
pub const PIN_WINDOW_MINUTES: i64 = 60;

/// The verdict on a scanned code.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ScanResult {
    /// Not a genuine code (forged, unknown, malformed …): nothing more is said.
    Invalid,
    /// Genuine, but its serial range is not active yet.
    NotActivated,
    /// Genuine but scrapped: it never works again.
    Scrapped,
    /// Genuine and active: what the brand entered about the product.
    Genuine(Genuine),
    /// Genuine and active, and the spec sends scans to the brand's own page.
    Redirect { url: String },
}

/// A genuine, active code: the entered info of its range (each part only if entered).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Genuine {
    /// The code string as printed (upper case).
    pub code: String,
    /// The brand owner (the enterprise that issued the code).
    pub enterprise: String,
    pub product: Option<String>,
    pub specification: Option<String>,
    /// Path under `/media` of the product image.
    pub product_image: Option<String>,
    pub brand: Option<String>,
    pub produced_at: Option<DateTime<Utc>>,
    pub factory: Option<String>,
    pub activated_at: Option<DateTime<Utc>>,
    /// Digits of the anti-counterfeit PIN printed under a scratch layer; 0 when the spec has none.
    pub pin_digits: u8,
}

/// The right PIN was typed: how often that happened for this code, and since when. More than
/// once suggests a copied label.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PinVerified {
    pub times: i32,
    pub first_at: DateTime<Utc>,
}

impl PinVerified {
    /// Whether someone (perhaps not this consumer) verified this PIN before.
    pub fn seen_before(&self) -> bool {
        self.times > 1
    }
}

/// Checks the form of a typed PIN: exactly `digits` ASCII digits (surrounding spaces ignored).
/// Run in the browser and again on the server; a malformed PIN costs no attempt.
pub fn check_pin_format(pin: &str, digits: u8) -> Result<(), Vec<FieldError>> {
    let pin = pin.trim();
    let msg = if pin.is_empty() {
        Msg::Required
    } else if pin.len() != usize::from(digits) || !pin.bytes().all(|b| b.is_ascii_digit()) {
        Msg::Scan(ScanMsg::PinFormat { digits })
    } else {
        return Ok(());
    };
    Err(vec![FieldError { field: "pin".into(), msg }])
}

/// Refusals specific to the consumer scan page (rendered through [`crate::domain::validate::Msg::Scan`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScanMsg {
    /// The PIN does not match; this many attempts are left in the current hour.
    PinWrong {
        remaining: i16,
    },
    /// Too many wrong PINs: the check reopens in this many minutes.
    PinLocked {
        minutes: i64,
    },
    PinFormat {
        digits: u8,
    },
    /// A PIN was sent for a code that is not genuine and active.
    NotVerifiable,
    /// The code's spec prints no PIN.
    NoPin,
    /// A QR image's error correction is not L, M, Q or H.
    QrEcLevel,
    /// A QR image's pixels per module (or its size in pixels) is out of range.
    QrScale {
        max: u32,
    },
    QrMargin {
        max: u32,
    },
}

impl ScanMsg {
    pub fn render(&self, l: Locale) -> String {
        use Locale::*;
        match (self, l) {
            (ScanMsg::PinWrong { remaining: 0 }, Zh) => {
                format!("防伪码不正确。错误次数已达上限，请 {PIN_WINDOW_MINUTES} 分钟后再试")
            }
            (ScanMsg::PinWrong { remaining: 0 }, En) => {
                format!("Wrong PIN. That was the last attempt; try again in {PIN_WINDOW_MINUTES} minutes")
            }
            (ScanMsg::PinWrong { remaining }, Zh) => format!("防伪码不正确，本小时内还可尝试 {remaining} 次"),
            (ScanMsg::PinWrong { remaining }, En) => format!("Wrong PIN; {remaining} attempt(s) left this hour"),
            (ScanMsg::PinLocked { minutes }, Zh) => format!("此码的防伪码错误次数过多，已暂停验证，请 {minutes} 分钟后再试"),
            (ScanMsg::PinLocked { minutes }, En) => {
                format!("Too many wrong PINs for this code: checking is paused, try again in {minutes} minutes")
            }
            (ScanMsg::PinFormat { digits }, Zh) => format!("请输入 {digits} 位数字"),
            (ScanMsg::PinFormat { digits }, En) => format!("Enter the {digits} digits"),
            (ScanMsg::NotVerifiable, Zh) => "此码不是已激活的正品码，无法验证防伪码".into(),
            (ScanMsg::NotVerifiable, En) => "This code is not a genuine, activated code: its PIN cannot be checked".into(),
            (ScanMsg::NoPin, Zh) => "此码没有防伪码".into(),
            (ScanMsg::NoPin, En) => "This code has no PIN".into(),
            (ScanMsg::QrEcLevel, Zh) => "纠错等级 ec 须为 L、M、Q 或 H".into(),
            (ScanMsg::QrEcLevel, En) => "The error correction ec must be L, M, Q or H".into(),
            (ScanMsg::QrScale { max }, Zh) => format!("scale（每个模块的像素数）须为 1–{max} 的整数，size 须为正整数"),
            (ScanMsg::QrScale { max }, En) => {
                format!("scale (pixels per module) must be a whole number 1–{max}; size a positive whole number")
            }
            (ScanMsg::QrMargin { max }, Zh) => format!("margin（留白模块数）须为 0–{max} 的整数"),
            (ScanMsg::QrMargin { max }, En) => format!("margin (quiet-zone modules) must be a whole number 0–{max}"),
        }
    }
}

/// The landing URL of an external landing page: the spec's template with `{code}` replaced.
/// Codes use only `0-9A-Z`, so no escaping is needed.
pub fn landing_url(template: &str, code: &str) -> String {
    template.replace("{code}", code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pin_format() {
        assert!(check_pin_format("012345", 6).is_ok());
        assert!(check_pin_format(" 012345 ", 6).is_ok());
        assert_eq!(check_pin_format("", 6).unwrap_err()[0].msg, Msg::Required);
        for bad in ["12345", "1234567", "12a456", "１２３４５６"] {
            assert_eq!(check_pin_format(bad, 6).unwrap_err()[0].msg, Msg::Scan(ScanMsg::PinFormat { digits: 6 }), "{bad}");
        }
    }

    #[test]
    fn landing_template() {
        assert_eq!(landing_url("https://brand.example/v?c={code}&x=1", "ABC"), "https://brand.example/v?c=ABC&x=1");
    }

    #[test]
    fn messages_name_the_limit() {
        assert!(ScanMsg::PinWrong { remaining: 2 }.render(Locale::En).contains('2'));
        assert!(ScanMsg::PinLocked { minutes: 17 }.render(Locale::Zh).contains("17"));
    }
}
