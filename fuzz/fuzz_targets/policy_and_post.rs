//! Parses arbitrary bytes as a policy and a draft, and checks the draft against every account.
//! The work is in `postgate::fuzzing::policy_and_post`, which the unit tests also run.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    postgate::fuzzing::policy_and_post(data);
});
