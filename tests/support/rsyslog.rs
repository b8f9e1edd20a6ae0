//! A real rsyslogd, started once per test run (`scripts/servers/supervise-rsyslog.sh`), and
//! the file it writes every message it receives to, one raw message per line.
//!
//! Tests share the server: each gives its account a name of its own and reads only the
//! messages whose structured data names that account.

use super::services::{Supervised, supervise};
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

pub struct Rsyslog {
    pub tcp_port: u16,
    pub udp_port: u16,
    pub socket: PathBuf,
    messages: PathBuf,
    _supervisor: Supervised,
}

static RSYSLOG: OnceLock<Rsyslog> = OnceLock::new();

/// The rsyslogd every test shares.
pub fn rsyslog() -> &'static Rsyslog {
    RSYSLOG.get_or_init(|| {
        let supervisor = supervise("scripts/servers/supervise-rsyslog.sh", "RSYSLOG");
        let parts: Vec<&str> = supervisor.value.split(' ').collect();
        let [tcp, udp, socket, messages] = parts[..] else {
            panic!("supervise-rsyslog.sh said {:?}", supervisor.value)
        };
        Rsyslog {
            tcp_port: tcp.parse().expect("tcp port"),
            udp_port: udp.parse().expect("udp port"),
            socket: socket.into(),
            messages: messages.into(),
            _supervisor: supervisor,
        }
    })
}

impl Rsyslog {
    /// The messages about `account` so far, in the order they arrived.
    pub fn messages(&self, account: &str) -> Vec<String> {
        let needle = format!("account=\"{account}\"");
        std::fs::read_to_string(&self.messages)
            .expect("reading rsyslog's file")
            .lines()
            .filter(|l| l.contains(&needle))
            .map(str::to_string)
            .collect()
    }

    /// Waits until `count` messages about `account` have arrived, and returns them: polls the
    /// file for that content, up to a deadline. A count that is never reached fails the test
    /// with what did arrive.
    pub fn wait_for(&self, account: &str, count: usize) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let got = self.messages(account);
            if got.len() >= count {
                return got;
            }
            assert!(
                Instant::now() < deadline,
                "rsyslog received {} of {count} messages about {account}: {got:#?}",
                got.len()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}
