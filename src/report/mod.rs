//! Reports over a checked project, rendered as text for people, JSON for tools, and
//! (capacity) a self-contained HTML page with an SVG chart, or (diff) Markdown for a
//! pull-request comment. Pure functions of their input: no clock, host or path.

pub mod capacity;
pub mod diff;
mod html;
