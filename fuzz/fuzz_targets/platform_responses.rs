//! Fuzzes what postgate makes of servers' answers outside serde (error bodies, cut fields,
//! Mastodon's HTML, Bluesky record keys, facets): `postgate::fuzzing::platform_responses`,
//! which the unit tests also run.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    postgate::fuzzing::platform_responses(data);
});
