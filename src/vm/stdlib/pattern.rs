//! (in progress) — NOTE TO THE ENGINEER WRITING THIS FILE: the lead's instructions for the crate API
//! and the build rules are in /tmp/api_brief.md — read it first (use CARGO_TARGET_DIR=/tmp/target-strings
//! and -j1 for every cargo command; never the default target/). Delete this note when you write the file.
