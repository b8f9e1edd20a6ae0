//! Fuzzes SSHSIG signature files: the reader and its invariants are `postgate::fuzzing::signature_file`, which the
//! unit tests also run.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    postgate::fuzzing::signature_file(data);
});
