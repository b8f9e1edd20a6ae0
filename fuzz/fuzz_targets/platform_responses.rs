//! Fuzzes what postgate makes of servers' answers outside serde (error bodies, cut fields,
//! Mastodon's HTML, Bluesky record keys, facets): `postgate::platform::fuzzing::platform_responses`,
//! which the unit tests also run.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    postgate::platform::fuzzing::platform_responses(data);
});
