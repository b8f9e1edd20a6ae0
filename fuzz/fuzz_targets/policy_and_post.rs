//! Parses arbitrary bytes as a policy and a draft, and checks the draft against every account.
//! The work is in `postgate::rules::fuzz_one`, which the unit tests also run.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    postgate::rules::fuzz_one(data);
});
