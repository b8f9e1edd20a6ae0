//! `postgate-fake-facebook [--port N]`: serves the Facebook Graph API fake on 127.0.0.1 (port
//! 0, the default, picks a free one) and prints `FACEBOOK_FAKE_URL=http://127.0.0.1:PORT` on
//! stdout once it accepts connections. Runs until killed. See `fakes/README.md` for the routes.

use std::io::Write;
use std::net::TcpListener;
use std::sync::Arc;

use postgate_fakes::facebook::FacebookFake;
use postgate_fakes::http::{Handler, serve};

fn main() {
    let mut port: u16 = 0;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--port" => {
                port = args
                    .next()
                    .and_then(|p| p.parse().ok())
                    .unwrap_or_else(|| usage("--port needs a number"));
            }
            "-h" | "--help" => {
                println!("usage: postgate-fake-facebook [--port N]   (0: a free port; prints FACEBOOK_FAKE_URL=...)");
                return;
            }
            other => usage(&format!("unknown argument {other}")),
        }
    }
    let listener = TcpListener::bind(("127.0.0.1", port)).unwrap_or_else(|e| {
        eprintln!("postgate-fake-facebook: cannot listen on 127.0.0.1:{port}: {e}");
        std::process::exit(1)
    });
    let addr = listener.local_addr().expect("bound address");
    let fake = Arc::new(FacebookFake::new());
    let handler: Handler = Arc::new(move |req| fake.handle(req));
    println!("FACEBOOK_FAKE_URL=http://{addr}");
    let _ = std::io::stdout().flush();
    serve(listener, handler)
}

fn usage(msg: &str) -> ! {
    eprintln!("postgate-fake-facebook: {msg}\nusage: postgate-fake-facebook [--port N]");
    std::process::exit(2)
}
