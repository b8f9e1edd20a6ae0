//! The release files, end to end: `scripts/release.sh` builds the Debian package and the static
//! tarball (with the `dev` profile, since the release profile's fat LTO is minutes on two
//! cores), then each is installed the way docs/install.md says, without a container: the
//! package with `dpkg -i` into a throwaway root with its own admin folder, the tarball unpacked
//! after `sha256sum -c`. Each installed binary then posts to an outbox account as a script
//! would (`--confirm-handle`, `--json`), and the file it wrote is read back.
//!
//! The build runs once per test run (`dist`); the tests that only read the files share it.

use crate::support::Test;
use crate::support::hostile::Hostile;
use crate::support::policy;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn deb_name() -> String {
    format!("postgate_{VERSION}-1_amd64.deb")
}

fn tar_name() -> String {
    format!("postgate-{VERSION}-x86_64-linux-static.tar.gz")
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/release.sh")
}

/// What `scripts/release.sh` printed, and the folder it wrote.
struct Dist {
    dir: PathBuf,
    stdout: String,
}

/// The release files, built once per test run. They go under cargo's folder for test files
/// rather than a temp folder, which a static would never remove; each run starts it afresh.
fn dist() -> &'static Dist {
    static DIST: OnceLock<Dist> = OnceLock::new();
    DIST.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("release-dist");
        let _ = std::fs::remove_dir_all(&dir);
        let out = Command::new("bash")
            .arg(script())
            .args(["--profile", "dev", "--out"])
            .arg(&dir)
            .stdin(Stdio::null())
            .output()
            .expect("run scripts/release.sh");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "scripts/release.sh failed: {:?}\n--- stdout:\n{stdout}\n--- stderr:\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        Dist { dir, stdout }
    })
}

/// Runs a system tool, expecting success, and returns its stdout.
fn run(cmd: &mut Command) -> String {
    let out = cmd.stdin(Stdio::null()).output().expect("run a system tool");
    assert!(out.status.success(), "{cmd:?} failed: {}", describe(&out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn describe(out: &Output) -> String {
    format!(
        "status {:?}\n--- stdout:\n{}\n--- stderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A post to the `demo` outbox account through `bin`, confirmed by flag without a terminal as
/// in CI; checks the JSON receipt and the post file the outbox wrote.
fn demo_post(t: &Test, bin: &Path, text: &str) {
    let handle = t.handle("demo");
    let out = t
        .command(&bin.display().to_string())
        .args(["--json", "post", "-a", "demo", "--confirm-handle", &handle, text])
        .stdin(Stdio::null())
        .output()
        .expect("run the installed postgate");
    assert!(out.status.success(), "the demo post failed: {}", describe(&out));
    let receipt: Value = serde_json::from_slice(&out.stdout).expect("stdout is one JSON value");
    assert_eq!(receipt["status"], "published", "{receipt}");
    assert_eq!(receipt["account"], "demo", "{receipt}");
    let posts = t.outbox("outbox");
    assert_eq!(posts.len(), 1, "one post in the outbox: {posts:?}");
    assert!(
        posts[0].to_string().contains(text),
        "the outbox post holds the text: {}",
        posts[0]
    );
    let audit = t.audit();
    let record = audit.last().expect("an audit record");
    assert_eq!(
        record["version"], VERSION,
        "the audit record names the installed version: {record}"
    );
    // The user's name comes through NSS (getpwuid_r), which a static glibc cannot always reach:
    // it must find the same name as the system's own `id`, or say `uid:N` when `id` finds none.
    let id = Command::new("id").arg("-un").output().expect("run id");
    let expected = if id.status.success() {
        String::from_utf8_lossy(&id.stdout).trim().to_string()
    } else {
        format!("uid:{}", run(Command::new("id").arg("-u")).trim())
    };
    assert_eq!(record["user"], expected.as_str(), "{record}");
}

#[test]
fn the_script_prints_what_it_built_and_the_checksums() {
    let dist = dist();
    let sums = std::fs::read_to_string(dist.dir.join("SHA256SUMS")).expect("SHA256SUMS");
    let lines: Vec<&str> = sums.lines().collect();
    assert_eq!(lines.len(), 2, "SHA256SUMS covers the two files: {sums}");
    for (line, name) in lines.iter().zip([deb_name(), tar_name()]) {
        assert!(line.ends_with(&format!("  {name}")), "{line}");
        assert!(dist.stdout.contains(line), "stdout lacks {line:?}:\n{}", dist.stdout);
    }
    assert!(dist.stdout.contains("Depends: libc6 (>= "), "{}", dist.stdout);
}

#[test]
fn sha256sums_checks_the_files_and_catches_a_changed_byte() {
    let dist = dist();
    let out = run(Command::new("sha256sum")
        .arg("-c")
        .arg("SHA256SUMS")
        .current_dir(&dist.dir));
    assert_eq!(out, format!("{}: OK\n{}: OK\n", deb_name(), tar_name()));

    // What the CI guide does: only the tarball downloaded beside SHA256SUMS.
    let ci = tempfile::tempdir().expect("temp dir");
    std::fs::copy(dist.dir.join("SHA256SUMS"), ci.path().join("SHA256SUMS")).expect("copy sums");
    let mut tarball = std::fs::read(dist.dir.join(tar_name())).expect("read the tarball");
    std::fs::write(ci.path().join(tar_name()), &tarball).expect("copy the tarball");
    let out = run(Command::new("sha256sum")
        .args(["-c", "--ignore-missing", "SHA256SUMS"])
        .current_dir(ci.path()));
    assert_eq!(out, format!("{}: OK\n", tar_name()));

    let middle = tarball.len() / 2;
    tarball[middle] ^= 1;
    std::fs::write(ci.path().join(tar_name()), &tarball).expect("write the changed tarball");
    let out = Command::new("sha256sum")
        .args(["-c", "--ignore-missing", "SHA256SUMS"])
        .current_dir(ci.path())
        .output()
        .expect("run sha256sum");
    assert!(!out.status.success(), "a changed byte passed: {}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("{}: FAILED", tar_name())));
}

#[test]
fn the_package_installs_into_a_throwaway_root_and_posts() {
    let dist = dist();
    let deb = dist.dir.join(deb_name());
    let field = |name: &str| run(Command::new("dpkg-deb").arg("-f").arg(&deb).arg(name));
    assert_eq!(field("Package"), "postgate\n");
    assert_eq!(field("Version"), format!("{VERSION}-1\n"));
    assert_eq!(field("Architecture"), "amd64\n");
    let depends = field("Depends");
    assert!(depends.starts_with("libc6 (>= 2."), "Depends: {depends}");
    assert!(field("Description").starts_with("guard for posting to official social-media accounts\n"));

    let t = Test::new();
    let root = t.path().join("root");
    let admin = root.join("var/lib/dpkg");
    for sub in ["info", "updates"] {
        std::fs::create_dir_all(admin.join(sub)).expect("dpkg admin folder");
    }
    std::fs::write(admin.join("status"), "").expect("empty dpkg status");
    // The throwaway root has no libc6 in its database: the dependency check is dpkg-shlibdeps'
    // (above), not this root's. /sbin is where dpkg looks for ldconfig.
    let path = format!("/usr/sbin:/sbin:{}", std::env::var("PATH").unwrap_or_default());
    let dpkg = |args: &[&str]| {
        let mut cmd = Command::new("dpkg");
        cmd.arg(format!("--root={}", root.display()))
            .arg(format!("--log={}", t.path().join("dpkg.log").display()))
            .args(["--force-not-root", "--force-depends"])
            .args(args)
            .env("PATH", &path);
        cmd
    };
    run(dpkg(&["-i"]).arg(&deb));
    // Every file is as the package's md5sums say.
    assert_eq!(run(&mut dpkg(&["--verify", "postgate"])), "");
    let listed = run(&mut dpkg(&["-L", "postgate"]));
    for file in [
        "/usr/bin/postgate",
        "/usr/share/man/man1/postgate.1.gz",
        "/usr/share/man/man1/postgate-post.1.gz",
        "/usr/share/man/man1/postgate-queue-publish.1.gz",
        "/usr/share/bash-completion/completions/postgate",
        "/usr/share/zsh/vendor-completions/_postgate",
        "/usr/share/fish/vendor_completions.d/postgate.fish",
        "/usr/share/doc/postgate/copyright",
        "/usr/share/doc/postgate/README.md.gz",
        "/usr/share/doc/postgate/changelog.Debian.gz",
        "/usr/share/doc/postgate/examples/policy.toml",
    ] {
        assert!(listed.lines().any(|l| l == file), "the package lacks {file}:\n{listed}");
        assert!(root.join(&file[1..]).is_file(), "{file} is not installed");
    }
    let page = run(Command::new("gzip")
        .arg("-dc")
        .arg(root.join("usr/share/man/man1/postgate-post.1.gz")));
    assert!(
        page.contains(".TH postgate-post 1"),
        "not the man page of post: {page:.200}"
    );
    let bash = std::fs::read(root.join("usr/share/bash-completion/completions/postgate")).expect("read");
    let committed = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("completions/postgate.bash"))
        .expect("read the committed completions");
    assert!(
        bash == committed,
        "the packaged bash completions are not the committed ones"
    );

    let bin = root.join("usr/bin/postgate");
    let version = run(t.command(&bin.display().to_string()).arg("--version"));
    assert_eq!(version, format!("postgate {VERSION}\n"));
    demo_post(&t, &bin, "Bonjour depuis le paquet Debian");

    run(&mut dpkg(&["--purge", "postgate"]));
    assert!(!bin.exists(), "dpkg --purge left /usr/bin/postgate");
}

#[test]
fn the_static_tarball_unpacks_to_a_static_binary_that_posts() {
    let dist = dist();
    let t = Test::new();
    let unpacked = t.path().join("unpacked");
    std::fs::create_dir_all(&unpacked).expect("unpack folder");
    let listing = run(Command::new("tar").arg("-tzf").arg(dist.dir.join(tar_name())));
    let top = format!("postgate-{VERSION}/");
    assert!(
        listing.lines().all(|l| l.starts_with(&top)),
        "one top folder, {top}:\n{listing}"
    );
    for file in [
        "postgate",
        "README.md",
        "COPYRIGHT",
        "completions/postgate.bash",
        "completions/_postgate",
        "completions/postgate.fish",
        "completions/postgate.elv",
        "completions/_postgate.ps1",
        "man/man1/postgate.1",
        "man/man1/postgate-post.1",
    ] {
        assert!(
            listing.lines().any(|l| l == format!("{top}{file}")),
            "the tarball lacks {file}:\n{listing}"
        );
    }
    run(Command::new("tar")
        .arg("-xzf")
        .arg(dist.dir.join(tar_name()))
        .arg("-C")
        .arg(&unpacked));
    let bin = unpacked.join(&top).join("postgate");

    let kind = run(Command::new("file").arg("-b").arg(&bin));
    assert!(
        kind.contains("statically linked") || kind.contains("static-pie linked"),
        "file: {kind}"
    );
    // ldd exits 1 on a static executable; what it says is the point.
    let ldd = Command::new("ldd").arg(&bin).output().expect("run ldd");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&ldd.stdout),
        String::from_utf8_lossy(&ldd.stderr)
    );
    assert!(
        said.contains("not a dynamic executable") || said.contains("statically linked"),
        "ldd: {said}"
    );
    let headers = run(Command::new("objdump").arg("-p").arg(&bin));
    assert!(
        !headers.lines().any(|l| {
            let l = l.trim_start();
            l.starts_with("NEEDED ") || l.starts_with("INTERP ")
        }),
        "the static binary needs a shared library or an interpreter:\n{headers}"
    );

    // No PATH and no library path: nothing of the build machine's is found by search.
    let version = run(Command::new(&bin).arg("--version").env_clear());
    assert_eq!(version, format!("postgate {VERSION}\n"));
    demo_post(&t, &bin, "Bonjour depuis le binaire statique");

    // A server named `localhost`: the name goes through getaddrinfo, which the static glibc
    // answers from /etc/hosts without loading an NSS module.
    let server = Hostile::start();
    server.mastodon("alice");
    let handle = format!("@alice@{}", server.domain());
    let by_name = format!("http://{}", server.domain());
    let t = t
        .policy(&policy::with_audit(&[
            &(policy::mastodon("masto", &handle, &by_name) + policy::FROM_ENV)
        ]))
        .env("POSTGATE_SECRET_MASTO", "a-token");
    let out = t
        .command(&bin.display().to_string())
        .args(["whoami", "-a", "masto"])
        .stdin(Stdio::null())
        .output()
        .expect("run the static postgate");
    assert!(out.status.success(), "whoami by host name failed: {}", describe(&out));
    assert!(
        server.hits("GET", "/api/v1/accounts/verify_credentials") >= 1,
        "whoami did not reach the server by its name: {}",
        describe(&out)
    );
}

#[test]
fn a_missing_tool_is_named_with_its_debian_package_and_nothing_is_built() {
    let t = Test::new();
    let empty = t.path().join("empty-path");
    let out_dir = t.path().join("dist");
    std::fs::create_dir_all(&empty).expect("empty PATH folder");
    let bash = run(Command::new("sh").args(["-c", "command -v bash"]));
    let out = Command::new(bash.trim())
        .arg(script())
        .arg("--out")
        .arg(&out_dir)
        .env("PATH", &empty)
        .stdin(Stdio::null())
        .output()
        .expect("run scripts/release.sh");
    assert_eq!(out.status.code(), Some(3), "{}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    for needle in [
        "dpkg-shlibdeps (Debian package dpkg-dev)",
        "file (Debian package file)",
        "cargo (the stable Rust toolchain from https://rustup.rs)",
        "apt-get install",
    ] {
        assert!(stderr.contains(needle), "stderr lacks {needle:?}:\n{stderr}");
    }
    assert!(out.stdout.is_empty(), "{}", describe(&out));
    assert!(!out_dir.exists(), "a refused run created {}", out_dir.display());
}

#[test]
fn an_unknown_option_is_a_usage_error() {
    let out = Command::new("bash")
        .arg(script())
        .arg("--outdir")
        .stdin(Stdio::null())
        .output()
        .expect("run scripts/release.sh");
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("unknown argument: --outdir"), "{stderr}");
    assert!(
        stderr.contains("Usage: scripts/release.sh [--out DIR] [--profile NAME]"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty(), "{}", describe(&out));
}
