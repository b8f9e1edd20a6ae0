//! `completions/` holds the generated scripts; this fails when they drift from the CLI.
//! Regenerate with: `POSTGATE_UPDATE_COMPLETIONS=1 cargo test --test postgate completions`.

use crate::support;
use std::path::Path;
use support::{BIN, Test};

const SHELLS: [(&str, &str); 5] = [
    ("bash", "postgate.bash"),
    ("zsh", "_postgate"),
    ("fish", "postgate.fish"),
    ("elvish", "postgate.elv"),
    ("powershell", "_postgate.ps1"),
];

#[test]
fn committed_completions_match_the_cli() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    let update = std::env::var_os("POSTGATE_UPDATE_COMPLETIONS").is_some();
    let t = Test::new();
    for (shell, file) in SHELLS {
        let out = t.cmd(["completions", shell]).run();
        assert!(!out.stdout.is_empty(), "{shell}: empty completion script");
        let path = dir.join(file);
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &out.stdout).unwrap();
        }
        let committed = std::fs::read(&path).unwrap_or_default();
        assert!(
            committed == out.stdout,
            "{} is out of date; run POSTGATE_UPDATE_COMPLETIONS=1 cargo test --test postgate completions",
            path.display()
        );
    }
}

#[test]
fn completions_know_the_subcommands() {
    let t = Test::new();
    let out = t.cmd(["completions", "bash"]).run();
    let script = String::from_utf8(out.stdout).unwrap();
    for word in [
        "post",
        "login",
        "logout",
        "accounts",
        "verify",
        "--confirm-handle",
        "--dry-run",
    ] {
        assert!(script.contains(word), "bash completion lacks {word}");
    }
}

#[test]
fn the_man_page_renders() {
    let t = Test::new();
    let out = t.cmd(["man"]).run();
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(
        page.starts_with(".ie \\n(.g .ds Aq") || page.contains(".TH postgate"),
        "not roff"
    );
    assert!(page.contains("postgate"));
    assert!(page.contains("Exit codes"));
}

#[test]
fn help_documents_the_exit_codes() {
    let t = Test::new();
    let out = t.cmd(["--help"]).run();
    let help = String::from_utf8(out.stdout).unwrap();
    assert!(
        help.contains("Exit codes:\n   0  success\n   1  unexpected error\n   2  usage error"),
        "{help}"
    );
    assert!(help.contains("   9  audit log failure, nothing published"));
    let _ = BIN;
}
