//! A lost answer from the PDS: createRecord is applied, but the connection drops before the
//! answer arrives. postgate must find the record under the key it chose instead of posting
//! again. A small proxy between postgate and the PDS drops that one answer.

use crate::support;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use support::{Test, bluesky_posts, bluesky_user, pds_url, policy};

/// Reads one HTTP request (headers and Content-Length body); None when the client closed.
fn read_request(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).ok()? == 0 {
            return None;
        }
        buf.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&buf).to_ascii_lowercase();
    let length = head
        .lines()
        .find_map(|l| {
            l.strip_prefix("content-length:")
                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
        })
        .unwrap_or(0);
    let mut body = vec![0; length];
    stream.read_exact(&mut body).ok()?;
    buf.extend_from_slice(&body);
    Some(buf)
}

/// Forwards each request on its own upstream connection (`Connection: close`), and drops the
/// answer to the first `drops` createRecord calls after the PDS has applied them.
fn proxy(upstream: String, drops: Arc<AtomicUsize>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let upstream = upstream.clone();
            let drops = drops.clone();
            std::thread::spawn(move || {
                let mut client = client;
                let Some(request) = read_request(&mut client) else {
                    return;
                };
                let line_end = request.windows(2).position(|w| w == b"\r\n").unwrap();
                let mut forwarded = request[..line_end + 2].to_vec();
                forwarded.extend_from_slice(b"Connection: close\r\n");
                forwarded.extend_from_slice(&request[line_end + 2..]);
                let mut server = TcpStream::connect(&upstream).unwrap();
                server.write_all(&forwarded).unwrap();
                let mut answer = Vec::new();
                server.read_to_end(&mut answer).unwrap();
                let is_create = request.starts_with(b"POST /xrpc/com.atproto.repo.createRecord");
                if is_create
                    && drops
                        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                        .is_ok()
                {
                    return; // applied upstream; the client never hears back
                }
                let _ = client.write_all(&answer);
            });
        }
    });
    format!("http://{addr}")
}

#[test]
fn a_lost_create_record_answer_is_found_not_posted_again() {
    let t = Test::new();
    let alice = bluesky_user("lostans");
    let drops = Arc::new(AtomicUsize::new(1));
    let service = proxy(pds_url().trim_start_matches("http://").to_string(), drops.clone());
    let t = t.policy(&policy::with_audit(&[&(policy::bluesky(
        "bsky",
        &alice.handle,
        &service,
    ) + policy::FROM_ENV)]));
    let out = t
        .cmd([
            "--json",
            "post",
            "-a",
            "bsky",
            "--confirm-handle",
            &alice.handle,
            "Une seule fois",
        ])
        .env("POSTGATE_SECRET_BSKY", &alice.app_password)
        .run();
    assert_eq!(drops.load(Ordering::SeqCst), 0, "the proxy dropped the answer");
    let result: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(result["replayed"], true, "the record was found, not written again");
    let posts = bluesky_posts(&alice);
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0]["uri"], result["id"]);
}
