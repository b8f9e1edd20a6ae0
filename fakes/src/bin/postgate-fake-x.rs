//! `postgate-fake-x [--port N]`: serves the X fake on 127.0.0.1 and prints
//! `X_FAKE_URL=http://127.0.0.1:PORT` once it accepts connections (see `http::run`). Runs until
//! killed. See `fakes/README.md` for the routes.

use postgate_fakes::http::run;
use postgate_fakes::x::XFake;
use std::sync::Arc;

fn main() {
    let fake = Arc::new(XFake::new());
    run("postgate-fake-x", "X_FAKE_URL", Arc::new(move |req| fake.handle(req)))
}
