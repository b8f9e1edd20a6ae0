//! `postgate-fake-facebook [--port N]`: serves the Facebook Graph API fake on 127.0.0.1 and prints
//! `FACEBOOK_FAKE_URL=http://127.0.0.1:PORT` once it accepts connections (see `http::run`). Runs until
//! killed. See `fakes/README.md` for the routes.

use postgate_fakes::facebook::FacebookFake;
use postgate_fakes::http::run;
use std::sync::Arc;

fn main() {
    let fake = Arc::new(FacebookFake::new());
    run(
        "postgate-fake-facebook",
        "FACEBOOK_FAKE_URL",
        Arc::new(move |req| fake.handle(req)),
    )
}
