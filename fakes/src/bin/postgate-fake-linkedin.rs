//! `postgate-fake-linkedin [--port N]`: serves the LinkedIn fake on 127.0.0.1 and prints
//! `LINKEDIN_FAKE_URL=http://127.0.0.1:PORT` once it accepts connections (see `http::run`). Runs until
//! killed. See `fakes/README.md` for the routes.

use postgate_fakes::http::run;
use postgate_fakes::linkedin::LinkedInFake;
use std::sync::Arc;

fn main() {
    let fake = Arc::new(LinkedInFake::new());
    run(
        "postgate-fake-linkedin",
        "LINKEDIN_FAKE_URL",
        Arc::new(move |req| fake.handle(req)),
    )
}
