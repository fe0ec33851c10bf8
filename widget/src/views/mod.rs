//! The widget's views, one small component per file.

pub mod card;
pub mod status;
pub mod teaser;
