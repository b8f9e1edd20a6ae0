//! The whole flow as a person meets it, in a real terminal: login with a hidden prompt (real
//! gnome-keyring), post with the typed handle (real Mastodon API server), then log verify.

use crate::support;
use support::{Test, code, mastodon_statuses, mastodon_url, mastodon_user};

#[test]
fn login_post_and_verify_in_a_terminal() {
    let t = Test::new().keychain();
    let alice = mastodon_user(&format!("e2e_{}", t.uid));
    let t = t.policy(&format!(
        "[audit]\npath = \"{{dir}}/state/audit.jsonl\"\n\n[[accounts]]\nname = \"culture\"\nhandle = \"{}\"\nplatform = \"mastodon\"\ninstance = \"{}\"\nkind = \"official\"\ndisplay_name = \"Ministère de la Culture\"\nowner = \"DICOM\"\n",
        alice.handle,
        mastodon_url()
    ));

    let mut tty = t.cmd(["login", "culture"]).tty();
    tty.expect("Secret for culture");
    tty.line(&alice.token);
    assert_eq!(tty.finish(), code::SUCCESS);
    assert!(!tty.screen().contains(&alice.token), "the token was echoed");

    let mut tty = t
        .cmd(["post", "--account", "culture", "Bonjour, ceci est un message officiel."])
        .env("NO_COLOR", "1")
        .tty();
    tty.expect("OFFICIAL ACCOUNT")
        .expect("credential    keychain")
        .expect("type its handle to publish");
    tty.line(&alice.handle);
    let status = tty.finish();
    assert_eq!(status, code::SUCCESS, "{}", tty.screen());
    assert_eq!(mastodon_statuses(&alice).len(), 1);

    // What the terminal printed just before the process exited can be lost by the pty reader,
    // so the last step reads its result through a pipe, as a cron job would.
    t.cmd(["log", "verify"]).stdout_has("ok: 3 record(s), head ").run();
    let audit = t.audit();
    assert_eq!(audit[0]["action"], "login");
    assert_eq!(audit[1]["confirmation"], "typed");
    assert_eq!(audit[2]["outcome"]["status"], "published");
}
