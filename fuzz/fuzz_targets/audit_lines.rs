//! Fuzzes audit log lines: the reader and its invariants are `postgate::fuzzing::audit_lines`, which the
//! unit tests also run.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    postgate::fuzzing::audit_lines(data);
});
