//! Fuzzes the sanitizer: the reader and its invariants are `postgate::fuzzing::sanitizer`, which the
//! unit tests also run.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    postgate::fuzzing::sanitizer(data);
});
