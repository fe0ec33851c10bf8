//! The member code as a QR code, drawn as one SVG path (staff scan it in the in-store console).

use qrcodegen::{QrCode, QrCodeEcc};

/// Modules of white border around the symbol (the QR specification asks for 4).
const QUIET: i32 = 4;

/// `text` as a QR code: the side of the square (quiet zone included) and an SVG path drawing
/// the dark modules, one `h1v1h-1z` square each; `None` if `text` does not fit a QR code.
pub fn svg_path(text: &str) -> Option<(i32, String)> {
    let qr = QrCode::encode_text(text, QrCodeEcc::Medium).ok()?;
    let size = qr.size();
    let mut path = String::new();
    for y in 0..size {
        for x in 0..size {
            if qr.get_module(x, y) {
                path.push_str(&format!("M{},{}h1v1h-1z", x + QUIET, y + QUIET));
            }
        }
    }
    Some((size + 2 * QUIET, path))
}
