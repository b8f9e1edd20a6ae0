//! Fuzzes draft front matter: the reader and its invariants are `postgate::fuzzing::draft_front_matter`, which the
//! unit tests also run.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    postgate::fuzzing::draft_front_matter(data);
});
